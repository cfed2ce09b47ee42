-- wrk script (bench/run.py): print the latency percentiles bench/run.py reads, in microseconds.
done = function(summary, latency, requests)
  for _, p in ipairs({50, 90, 95, 99}) do
    io.write(string.format("P%d %d\n", p, latency:percentile(p)))
  end
  io.write(string.format("MAX %d\n", latency.max))
end
