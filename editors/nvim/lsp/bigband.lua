-- Neovim 0.11+: with editors/nvim on 'runtimepath', `vim.lsp.enable('bigband')`
-- finds this config (or call require('bigband').setup(), which does both).
return require('bigband').config()
