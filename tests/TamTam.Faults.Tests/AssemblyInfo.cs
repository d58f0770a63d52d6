// The fault tests run one at a time: each starts real executables and SIGKILLs them, and waits for restarts and
// recoveries against bounds that a neighbour loading the 2-core machine would eat into.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
