//! The simulated tenant in-process, and a `Cloud` that points at it and trusts its CA.

use super::profile::{APP, SECRET};
use m365_sim::sandbox::demo_seed;
use m365_sim::tenant::seed::Seed;
use m365_sim::RunningSim;
use onboard::identity::audience::{AccessToken, GraphAudience};
use onboard::identity::sign_in::AppOnlyTarget;
use onboard::{
    cloud::{Cloud, CloudPreset},
    identity::sign_in_app_only,
    platform::Secret,
};

pub async fn sim_cloud_with(seed: Seed) -> (RunningSim, Cloud) {
    let sim = RunningSim::start("127.0.0.1:0".parse().unwrap(), seed)
        .await
        .unwrap();
    let mut cloud = Cloud::preset(CloudPreset::Global);
    cloud.name = "Sandbox".into();
    cloud.authority = sim.endpoints.authority.clone();
    cloud.graph = sim.endpoints.graph.clone();
    cloud.extra_ca_pem = Some(std::fs::read_to_string(&sim.endpoints.ca_file).unwrap());
    (sim, cloud)
}

/// The sandbox's tenant (seeds/demo.json).
pub async fn sim_cloud() -> (RunningSim, Cloud) {
    sim_cloud_with(demo_seed().unwrap()).await
}

/// An app-only Graph token of the sandbox's app (client credentials with its secret).
pub async fn app_graph_token(cloud: &Cloud) -> AccessToken<GraphAudience> {
    sign_in_app_only(
        cloud,
        "contoso.test",
        APP,
        &Secret::new(SECRET),
        AppOnlyTarget::Graph,
    )
    .await
    .unwrap()
    .access_token::<GraphAudience>()
    .unwrap()
}
