// The end-to-end suites run one collection at a time: several of them load the machine on purpose (a 1 GiB
// transfer, 200,000 stream packets, 1,000 connections, silos stopped and started again), and the session tests measure
// reconnections against 30 s bounds that such neighbours would eat into on a 2-core machine.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
