" .wit files are WIT (WebAssembly Interface Types). Neovim 0.10+ knows this
" already; 0.7-0.9 need it said (`setfiletype` keeps an earlier decision).
autocmd BufRead,BufNewFile *.wit setfiletype wit
