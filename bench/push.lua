-- wrk script: durable pushes spread round-robin over the tokens listed in $TOKENS, to the path
-- $PUSH_PATH with %s for the token (Lifeline's own push route when unset).
local tokens = {}
for line in io.lines(os.getenv("TOKENS")) do
  tokens[#tokens + 1] = line
end
local path = os.getenv("PUSH_PATH") or "/api/push/%s?status=up&msg=bench"
local i = math.random(#tokens)
request = function()
  i = i + 1
  return wrk.format("POST", string.format(path, tokens[(i % #tokens) + 1]))
end
