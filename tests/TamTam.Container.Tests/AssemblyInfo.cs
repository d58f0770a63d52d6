// The container tests run one at a time: each starts silo containers (three at once in the cluster test) on a 2-core
// machine, and a neighbour would eat into their failover and stop bounds.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
