// Each test class starts its own server; WebApplicationFactory intercepts the entry point's host build through a
// process-wide diagnostic listener, so servers built at the same time can catch each other's configuration.
// Run classes one after another (it also spares the busy build machine).
[assembly: CollectionBehavior(DisableTestParallelization = true)]
