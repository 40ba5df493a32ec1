-- wrk script: GET /v1/learners/{id}/next?k=3 for a random stored learner. Argument after `--`:
-- the number of learners. See benches/README.md.
local threads = {}

function setup(thread)
   thread:set("tid", #threads)
   table.insert(threads, thread)
end

function init(args)
   learners = tonumber(args[1])
   math.randomseed(os.time() + tid)
end

request = function()
   return wrk.format("GET", string.format("/v1/learners/L%d/next?k=3", math.random(0, learners - 1)))
end
