-- wrk script: POST /v1/events, one pathwise event per request, each with an id never used before
-- (so every request is a durable write, none a duplicate), for a random stored learner and a
-- random activity of the graph. Arguments after `--`: the file of activity ids (one a line) and
-- the number of learners. See benches/README.md.
local threads = {}
local counter = 0

function setup(thread)
   thread:set("tid", #threads)
   table.insert(threads, thread)
end

function init(args)
   items = {}
   for line in io.lines(args[1]) do
      table.insert(items, line)
   end
   learners = tonumber(args[2])
   run = tostring(os.time())
   math.randomseed(os.time() + tid)
end

request = function()
   counter = counter + 1
   local body = string.format(
      '{"id":"w%s-%d-%d","learner":"L%d","item":"%s","correct":%s,"time":%d}',
      run, tid, counter, math.random(0, learners - 1), items[math.random(#items)],
      math.random() < 0.7 and "true" or "false", 1700000000000 + counter)
   return wrk.format("POST", "/v1/events", {["Content-Type"] = "application/json"}, body)
end
