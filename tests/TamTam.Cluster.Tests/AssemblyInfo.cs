// The cluster tests run one at a time: each starts three silo executables (and Azurite, redis-server) and kills them,
// and a neighbour loading the machine would eat into their failover bounds.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
