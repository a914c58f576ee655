-- wrk script for benches/http.sh: rotates over typical /api/search
-- requests on the Karlsruhe corpus (words, phrases, compounds, a typo,
-- filters, date sort, a second page) and prints one summary line.

local queries = {
  "/api/search?q=Radweg",
  "/api/search?q=Kita%20Pl%C3%A4tze",
  "/api/search?q=Stra%C3%9Fenbahn",
  "/api/search?q=Klimaschutz",
  "/api/search?q=%22sozialer%20Wohnungsbau%22",
  "/api/search?q=Schulsanierung",
  "/api/search?q=Parkpl%C3%A4tze%20Innenstadt",
  "/api/search?q=Baumf%C3%A4llungen",
  "/api/search?q=Haushalt&sort=date",
  "/api/search?q=Fahrradstra%C3%9Fe",
  "/api/search?q=L%C3%A4rmschutz%20Autobahn",
  "/api/search?q=Bebauungsplan&offset=10",
  "/api/search?q=Photovoltaik%20Dach",
  "/api/search?q=Spielplatz",
  "/api/search?q=Obdachlosigkeit",
  "/api/search?q=Klimaschutzkonzpet",
  "/api/search?q=Radweg&from=2024",
  "/api/search?q=Gemeinderat%20Antrag%20Stellungnahme&limit=20",
  "/api/search?q=Verkehrsberuhigung%20Durlach",
  "/api/search?q=*&type=anfrage&limit=10",
}

local thread_count = 0
function setup(thread)
  thread:set("id", thread_count)
  thread_count = thread_count + 1
end

local i = 0
function init(args)
  -- Threads start at different queries.
  i = (id or 0) * 7
end

function request()
  i = i + 1
  return wrk.format("GET", queries[(i % #queries) + 1])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d seconds=%.1f rps=%.1f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f " ..
    "errors_connect=%d errors_read=%d errors_write=%d errors_timeout=%d non_2xx=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    e.connect, e.read, e.write, e.timeout, e.status))
end
