-- Exercises editors/nvim's code paths for Neovim versions this machine does
-- not have, by standing in for the newer APIs (vim.lsp.config/enable of
-- 0.11, vim.lsp.start of 0.8-0.10) and recording what setup() hands them.
-- Writes JSON to $BIGBAND_OUT; nvim_test.go judges it.
local out = {}
local lsp = vim.lsp
local saved = { config = lsp.config, enable = lsp.enable, start = lsp.start }

local function fresh()
  package.loaded['bigband'] = nil
  lsp.config, lsp.enable, lsp.start = nil, nil, nil
  return require('bigband')
end

local ok, err = pcall(function()
  -- 0.11+: vim.lsp.config + vim.lsp.enable.
  local m = fresh()
  out.v011 = {}
  lsp.config = function(name, cfg)
    out.v011.name, out.v011.cmd, out.v011.filetypes, out.v011.root_markers = name, cfg.cmd, cfg.filetypes, cfg.root_markers
  end
  lsp.enable = function(name)
    out.v011.enabled = name
  end
  m.setup({ cmd = { '/opt/bigband-dev', 'lsp' } })
  -- lsp/bigband.lua, the file vim.lsp.enable finds on the runtimepath.
  local rtp_cfg = dofile(os.getenv('BIGBAND_NVIM_DIR') .. '/lsp/bigband.lua')
  out.v011.rtp_cmd = rtp_cfg.cmd
  out.v011.rtp_filetypes = rtp_cfg.filetypes

  -- 0.8-0.10: vim.lsp.start from a FileType autocmd, root from the markers.
  m = fresh()
  out.v08 = { calls = {} }
  lsp.start = function(cfg, opts)
    table.insert(out.v08.calls, { name = cfg.name, cmd = cfg.cmd, root_dir = cfg.root_dir, bufnr = opts and opts.bufnr or -1 })
    return 1
  end
  m.setup({ cmd = { 'bigband-dev', 'lsp' } })
  vim.o.hidden = true
  vim.cmd('filetype on')
  vim.cmd('edit ' .. vim.fn.fnameescape(os.getenv('BIGBAND_WIT_FILE')))
  out.v08.buf = vim.api.nvim_get_current_buf()
  out.v08.filetype = vim.bo.filetype
end)
lsp.config, lsp.enable, lsp.start = saved.config, saved.enable, saved.start
if not ok then
  out.error = tostring(err)
end
vim.fn.writefile({ vim.fn.json_encode(out) }, os.getenv('BIGBAND_OUT'))
vim.cmd('qall!')
