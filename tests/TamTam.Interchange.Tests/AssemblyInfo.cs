// Every test starts an embedded silo (a station) or more: one at a time, so that the machine's two cores are not
// shared between stations starting at once and the timings stay within their bounds.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
