import Logging
import ServiceLifecycle

extension ServiceGroupConfiguration {
    /// A configuration that names each service by its type.
    ///
    /// `ServiceGroupConfiguration(services:logger:)` names a service `"\(service)"`, which
    /// reflects the whole value; for ours (a log with its compiled schemas, pools, registries)
    /// that is seconds of CPU on the cooperative pool, during which nothing else of the process
    /// runs: the stall detector's stack dumps of the test suite found the cooperative threads
    /// inside `ServiceConfiguration.init` printing nested dictionaries during 1.5 s stalls.
    /// The group installs no signal handlers of its own (the commands catch them, `ServiceRun`).
    public static func named(_ services: [any Service], logger: Logger) -> ServiceGroupConfiguration {
        ServiceGroupConfiguration(
            services: services.map { ServiceConfiguration(service: $0, serviceName: String(describing: type(of: $0))) },
            logger: logger)
    }
}
