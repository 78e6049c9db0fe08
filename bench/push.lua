-- wrk script: durable pushes spread round-robin over the tokens listed in $TOKENS.
local tokens = {}
for line in io.lines(os.getenv("TOKENS")) do
  tokens[#tokens + 1] = line
end
local i = math.random(#tokens)
request = function()
  i = i + 1
  return wrk.format("POST", "/api/push/" .. tokens[(i % #tokens) + 1] .. "?status=up&msg=bench")
end
