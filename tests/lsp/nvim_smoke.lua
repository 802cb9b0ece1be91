-- Smoke test of `journey lsp` in headless Neovim 0.7 (Debian's neovim), through its built-in
-- LSP client: diagnostics appear and disappear, hover, definition, formatting.
-- Run by lsp_test.sh: JOURNEY=... FIXTURE=... nvim --headless --clean -u NONE -c 'luafile nvim_smoke.lua'
local journey = assert(os.getenv('JOURNEY'), 'set JOURNEY')
local fixture = assert(os.getenv('FIXTURE'), 'set FIXTURE')

local function fail(message)
  io.stderr:write('FAIL nvim: ' .. message .. '\n')
  vim.cmd('cquit 1')
end

local function wait(what, predicate)
  if not vim.wait(15000, predicate, 20) then fail('timed out waiting for ' .. what) end
end

local function run()
  -- A copy, so that the test never writes to the fixture.
  local path = vim.fn.tempname() .. '.journey'
  vim.fn.writefile(vim.fn.readfile(fixture), path)
  vim.cmd('edit ' .. path)
  vim.bo.filetype = 'journey'
  local buffer = vim.api.nvim_get_current_buf()
  local id = vim.lsp.start_client({
    name = 'journey',
    cmd = { journey, 'lsp', '--debounce-ms', '10' },
    root_dir = vim.fn.fnamemodify(path, ':h'),
  })
  if not id then fail('start_client failed') end
  vim.lsp.buf_attach_client(buffer, id)
  wait('initialize', function()
    local client = vim.lsp.get_client_by_id(id)
    return client ~= nil and client.initialized
  end)

  -- A typo in a branch: the diagnostic appears with journey check's message.
  local lines = vim.api.nvim_buf_get_lines(buffer, 0, -1, false)
  local row
  for i, line in ipairs(lines) do
    if line:find('{ Active 80%%') then row = i - 1 end
  end
  if not row then fail('fixture line not found') end
  local original = lines[row + 1]
  vim.api.nvim_buf_set_lines(buffer, row, row + 1, false, { (original:gsub('Active 80', 'Actve 80')) })
  wait('the unknown-name diagnostic', function() return #vim.diagnostic.get(buffer) > 0 end)
  local diagnostic = vim.diagnostic.get(buffer)[1]
  if not diagnostic.message:find('unknown stage `Actve`', 1, true) then fail('message: ' .. diagnostic.message) end
  if diagnostic.lnum ~= row then fail('diagnostic on line ' .. diagnostic.lnum .. ', expected ' .. row) end

  -- Fixed again: it disappears.
  vim.api.nvim_buf_set_lines(buffer, row, row + 1, false, { original })
  wait('the diagnostics to clear', function() return #vim.diagnostic.get(buffer) == 0 end)

  -- Hover and definition on `Paid` in `{ Paid 30%, ... }`.
  local paidRow, paidCol
  for i, line in ipairs(vim.api.nvim_buf_get_lines(buffer, 0, -1, false)) do
    local col = line:find('{ Paid 30%%')
    if col and not paidRow then paidRow, paidCol = i - 1, col + 1 end
  end
  local params = { textDocument = { uri = vim.uri_from_bufnr(buffer) }, position = { line = paidRow, character = paidCol } }
  local hover = vim.lsp.buf_request_sync(buffer, 'textDocument/hover', params, 5000)
  local text = hover and hover[id] and hover[id].result and hover[id].result.contents.value or ''
  if not text:find('**goal** `Paid`', 1, true) then fail('hover: ' .. text) end
  local definition = vim.lsp.buf_request_sync(buffer, 'textDocument/definition', params, 5000)
  local location = definition and definition[id] and definition[id].result and definition[id].result[1]
  if not location then fail('no definition') end
  local goalLine = vim.api.nvim_buf_get_lines(buffer, location.range.start.line, location.range.start.line + 1, false)[1]
  if not goalLine:find('goal Paid', 1, true) then fail('definition at: ' .. goalLine) end

  -- Formatting through the client: a messy line comes back in canonical layout.
  vim.api.nvim_buf_set_lines(buffer, 2, 3, false, { 'horizon     60d' })
  vim.lsp.buf.formatting_sync(nil, 5000)
  local formatted = vim.api.nvim_buf_get_lines(buffer, 2, 3, false)[1]
  if formatted ~= '  horizon 60d' then fail('formatting gave: ' .. formatted) end

  vim.lsp.stop_client(id)
  io.stdout:write('nvim: all passed\n')
  vim.cmd('qall!')
end

local ok, error = pcall(run)
if not ok then fail(tostring(error)) end
