-- Drives Neovim's own LSP client through editors/nvim for nvim_test.go.
-- Reads the spec (JSON) named by $BIGBAND_NVIM_SPEC:
--   { cmd, files, phases = { { edits = {...}, expect = { path = {lnum0...} } } },
--     timeout_ms, out }
-- For each phase it applies the edits to the buffers (never saving), waits
-- until every file's diagnostic lines are the expected ones or the time is
-- up, and records what Neovim holds. The Go test judges the result; this
-- script only reports, so a mismatch shows every diagnostic it saw.
local spec = vim.fn.json_decode(table.concat(vim.fn.readfile(os.getenv('BIGBAND_NVIM_SPEC')), '\n'))
local v = vim.version()
local result = { version = v.major .. '.' .. v.minor .. '.' .. v.patch, phases = {}, filetypes = {} }

local function write_result()
  vim.fn.writefile({ vim.fn.json_encode(result) }, spec.out)
end

local function run()
  vim.o.hidden = true -- keep every buffer loaded (and attached) while switching
  vim.cmd('filetype on') -- sources ftdetect/wit.vim from editors/nvim on 'runtimepath'
  require('bigband').setup({ cmd = spec.cmd })

  result.publishes = 0
  local key = 'textDocument/publishDiagnostics'
  local orig = vim.lsp.handlers[key]
  vim.lsp.handlers[key] = function(...)
    result.publishes = result.publishes + 1
    return orig(...)
  end

  local bufs = {}
  for _, f in ipairs(spec.files) do
    vim.cmd('edit ' .. vim.fn.fnameescape(f))
    bufs[f] = vim.api.nvim_get_current_buf()
    result.filetypes[f] = vim.bo[bufs[f]].filetype
  end

  local function lines_of(f)
    local seen, out = {}, {}
    for _, d in ipairs(vim.diagnostic.get(bufs[f])) do
      if not seen[d.lnum] then
        seen[d.lnum] = true
        table.insert(out, d.lnum)
      end
    end
    table.sort(out)
    return out
  end

  local function matches(expect)
    for f, want in pairs(expect) do
      local got = lines_of(f)
      if #got ~= #want then
        return false
      end
      for i = 1, #want do
        if got[i] ~= want[i] then
          return false
        end
      end
    end
    return true
  end

  for i, phase in ipairs(spec.phases) do
    for _, e in ipairs(type(phase.edits) == 'table' and phase.edits or {}) do
      vim.api.nvim_buf_set_lines(bufs[e.path], e.start, e['end'], false, e.lines)
    end
    local ok = vim.wait(spec.timeout_ms, function()
      return matches(phase.expect)
    end, 50)
    local rec = { matched = ok, diagnostics = {}, modified = {}, clients = {} }
    local all = {}
    for _, c in ipairs((vim.lsp.get_clients or vim.lsp.get_active_clients)()) do
      table.insert(all, c.id)
    end
    rec.servers = #all
    for f, b in pairs(bufs) do
      rec.diagnostics[f] = {}
      for _, d in ipairs(vim.diagnostic.get(b)) do
        table.insert(rec.diagnostics[f], {
          lnum = d.lnum,
          col = d.col,
          severity = d.severity,
          message = d.message,
          code = d.code and tostring(d.code) or '',
          source = d.source or '',
        })
      end
      rec.modified[f] = vim.bo[b].modified
      if vim.lsp.get_clients then -- 0.10+
        rec.clients[f] = #vim.lsp.get_clients({ bufnr = b })
      else
        rec.clients[f] = #vim.tbl_keys(vim.lsp.buf_get_clients(b))
      end
    end
    result.phases[i] = rec
  end
end

local ok, err = pcall(run)
if not ok then
  result.error = tostring(err)
end
write_result()
local ids = {}
for _, c in ipairs((vim.lsp.get_clients or vim.lsp.get_active_clients)()) do
  table.insert(ids, c.id)
end
vim.lsp.stop_client(ids, true)
if ok then
  vim.cmd('qall!')
else
  vim.cmd('cquit! 1')
end
