-- bigband-dev's WIT language server for Neovim: diagnostics over the whole
-- package, its deps/ and the Backstage plugin contract, plus navigation,
-- completion and formatting.
--
--   require('bigband').setup()                      -- `bigband-dev lsp` from PATH
--   require('bigband').setup({ cmd = { '/path/to/bigband-dev', 'lsp' } })
--
-- One entry point for every Neovim this project meets: 0.11+ registers a
-- config with vim.lsp.config and vim.lsp.enable; 0.8-0.10 start the client
-- from a FileType autocmd with vim.lsp.start; 0.7 (Debian bookworm) uses
-- vim.lsp.start_client and attaches each buffer with buf_attach_client.
local M = {}

local defaults = {
  name = 'bigband',
  cmd = { 'bigband-dev', 'lsp' },
  filetypes = { 'wit' },
  -- The workspace root: the nearest of these above the file. Packages and
  -- their deps/ are found by the server; this only picks the workspace.
  root_markers = { 'bigband.toml', '.git', 'go.mod', 'Cargo.toml', 'package.json' },
}

local function merged(opts)
  local cfg = vim.deepcopy(defaults)
  for k, v in pairs(opts or {}) do
    cfg[k] = v
  end
  return cfg
end

-- root_for walks up from the buffer's directory to the first directory
-- holding a root marker, or returns the buffer's own directory. Written
-- against vim.loop only, so it runs on 0.7 (no vim.fs there).
local function root_for(bufnr, markers)
  local name = vim.api.nvim_buf_get_name(bufnr)
  local dir = vim.fn.fnamemodify(name ~= '' and name or vim.fn.getcwd(), ':p:h')
  local cur = dir
  while cur and cur ~= '' do
    for _, m in ipairs(markers) do
      if vim.loop.fs_stat(cur .. '/' .. m) then
        return cur
      end
    end
    local parent = vim.fn.fnamemodify(cur, ':h')
    if parent == cur then
      break
    end
    cur = parent
  end
  return dir
end

-- config returns the table vim.lsp.config takes (0.11+).
function M.config(opts)
  local cfg = merged(opts)
  return {
    cmd = cfg.cmd,
    filetypes = cfg.filetypes,
    root_markers = cfg.root_markers,
    capabilities = cfg.capabilities,
    on_attach = cfg.on_attach,
    settings = cfg.settings or {},
  }
end

local function add_filetype()
  -- vim.filetype.add exists from 0.8 (0.7's is experimental); ftdetect/wit.vim
  -- covers every version when editors/nvim is on 'runtimepath'.
  if vim.fn.has('nvim-0.8') == 1 and vim.filetype and vim.filetype.add then
    vim.filetype.add({ extension = { wit = 'wit' } })
  else
    vim.cmd([[
      augroup bigband-filetype
        autocmd!
        autocmd BufRead,BufNewFile *.wit setfiletype wit
      augroup END
    ]])
  end
end

local function on_filetype(cfg, start)
  local group = vim.api.nvim_create_augroup('bigband-lsp', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = cfg.filetypes,
    callback = function(args)
      start(args.buf)
    end,
  })
  -- Buffers already open when setup() runs.
  for _, b in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(b) and vim.tbl_contains(cfg.filetypes, vim.bo[b].filetype) then
      start(b)
    end
  end
end

function M.setup(opts)
  local cfg = merged(opts)
  add_filetype()

  if vim.lsp.config and vim.lsp.enable then -- 0.11+
    vim.lsp.config(cfg.name, M.config(cfg))
    vim.lsp.enable(cfg.name)
    return
  end

  local function client_config(bufnr)
    return {
      name = cfg.name,
      cmd = cfg.cmd,
      root_dir = root_for(bufnr, cfg.root_markers),
      capabilities = cfg.capabilities,
      on_attach = cfg.on_attach,
      settings = cfg.settings or {},
    }
  end

  if vim.lsp.start then -- 0.8-0.10: reuses a running client with the same name and root
    on_filetype(cfg, function(bufnr)
      vim.lsp.start(client_config(bufnr), { bufnr = bufnr })
    end)
    return
  end

  -- 0.7: one client per root directory, attached to each WIT buffer under it.
  -- (client_is_stopped is no test: it is true while a client initializes,
  -- which would start a second server for a buffer opened meanwhile.)
  local clients = {}
  on_filetype(cfg, function(bufnr)
    local c = client_config(bufnr)
    local id = clients[c.root_dir]
    if not id or not vim.lsp.get_client_by_id(id) then
      local root = c.root_dir
      c.on_exit = function()
        if clients[root] == id then
          clients[root] = nil
        end
      end
      id = vim.lsp.start_client(c)
      if not id then
        vim.notify('bigband: could not start ' .. table.concat(cfg.cmd, ' '), vim.log.levels.ERROR)
        return
      end
      clients[c.root_dir] = id
    end
    vim.lsp.buf_attach_client(bufnr, id)
  end)
end

return M
