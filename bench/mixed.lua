-- wrk script for the mixed arrival-week run (bench/mixed.py writes the data file it loads).
--
-- Each request is drawn at random: ALTs viewing their pages (80 %), ALTs sending a new
-- request or a reply (10 %), staff listing requests or replying in the admin (10 %).
-- Every write carries the run's marker and a number of its own, so that afterwards the
-- database can be asked how many of the acknowledged writes it holds. A response is
-- told by its status and Location: a new request answers 302 to /support/<id>/sent/, a
-- reply 302 to /support/<id>/, an admin save 302 to the changelist.

local data = dofile(os.getenv("MIXED_DATA"))
local counter = 0
-- Globals: the main state sets thread_number in each thread and reads counts back from it.
thread_number = 0
counts = { new_request = 0, alt_reply = 0, staff_reply = 0, other_redirect = 0, status_4xx = 0, status_5xx = 0 }
local threads = {}

function setup(thread)
  thread:set("thread_number", #threads)
  threads[#threads + 1] = thread
end

function init(args)
  math.randomseed(os.time() + thread_number * 7919)
end

local function urlencode(text)
  return (tostring(text):gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

local function form(fields)
  local parts = {}
  for _, pair in ipairs(fields) do
    parts[#parts + 1] = urlencode(pair[1]) .. "=" .. urlencode(pair[2])
  end
  return table.concat(parts, "&")
end

local function headers_for(person, body)
  local headers = {
    ["Cookie"] = "sessionid=" .. person.session .. "; csrftoken=" .. data.csrf,
    ["Referer"] = data.origin .. "/",
    ["Origin"] = data.origin,
  }
  if body then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
  end
  return headers
end

local function uuid()
  local hex = "0123456789abcdef"
  local template = "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx"
  return (template:gsub("[xy]", function(c)
    local v = (c == "x") and math.random(0, 15) or math.random(8, 11)
    return hex:sub(v + 1, v + 1)
  end))
end

local function next_number()
  counter = counter + 1
  return thread_number * 1000000 + counter
end

function request()
  local roll = math.random(1, 100)
  local alt = data.alts[math.random(1, #data.alts)]
  if roll <= 80 then
    local page = alt.pages[math.random(1, #alt.pages)]
    return wrk.format("GET", page, headers_for(alt))
  elseif roll <= 85 then
    local n = next_number()
    local body = form({
      { "csrfmiddlewaretoken", data.csrf },
      { "category", "OTHER" },
      { "subject", data.marker .. " new " .. n },
      { "details", "Mixed run request " .. n .. ": where do I buy a train pass?" },
      { "urgency", "NORMAL" },
      { "submit_token", uuid() },
    })
    return wrk.format("POST", "/support/new/", headers_for(alt, true), body)
  elseif roll <= 90 then
    local n = next_number()
    local body = form({
      { "csrfmiddlewaretoken", data.csrf },
      { "body", data.marker .. " alt reply " .. n },
    })
    return wrk.format("POST", "/support/" .. alt.thread .. "/reply/", headers_for(alt, true), body)
  elseif roll <= 95 or #data.staff_writes == 0 then
    local person = data.staff[math.random(1, #data.staff)]
    return wrk.format("GET", person.list, headers_for(person))
  else
    -- Each staff save goes to a request of its own, with the change form as it was loaded
    -- (its version included): two saves of one request would be a conflict the form
    -- refuses, not a lost write. The threads take every other form.
    staff_index = (staff_index or thread_number) + data.threads
    local write = data.staff_writes[(staff_index % #data.staff_writes) + 1]
    local fields = { { "csrfmiddlewaretoken", data.csrf }, { "reply", data.marker .. " staff reply " .. next_number() } }
    for _, pair in ipairs(write.fields) do
      fields[#fields + 1] = pair
    end
    return wrk.format("POST", write.path, headers_for(write.person, true), form(fields))
  end
end

function response(status, headers, body)
  if status >= 500 then
    counts.status_5xx = counts.status_5xx + 1
  elseif status >= 400 then
    counts.status_4xx = counts.status_4xx + 1
  elseif status == 302 then
    local location = headers["Location"] or ""
    if location:match("^/support/%d+/sent/") then
      counts.new_request = counts.new_request + 1
    elseif location:match("^/support/%d+/") then
      counts.alt_reply = counts.alt_reply + 1
    elseif location:match("^/admin/support/supportrequest/") then
      counts.staff_reply = counts.staff_reply + 1
    else
      counts.other_redirect = counts.other_redirect + 1
    end
  end
end

-- Each thread keeps its own counts; done() runs in the main state and adds them up.
function done(summary, latency, requests)
  local totals = { new_request = 0, alt_reply = 0, staff_reply = 0, other_redirect = 0, status_4xx = 0, status_5xx = 0 }
  for _, thread in ipairs(threads) do
    local c = thread:get("counts")
    for key, _ in pairs(totals) do
      totals[key] = totals[key] + (c[key] or 0)
    end
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "socket_errors": %d, "status_errors": %d, ' ..
    '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "acknowledged": {"new_request": %d, ' ..
    '"alt_reply": %d, "staff_reply": %d}, "other_redirects": %d, "status_4xx": %d, "status_5xx": %d}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    totals.new_request, totals.alt_reply, totals.staff_reply, totals.other_redirect,
    totals.status_4xx, totals.status_5xx))
end
