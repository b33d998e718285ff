//! Real-time record events: the outbox dispatcher, the pub/sub that carries events to live
//! subscribers (in-process, or Redis across instances), and GraphQL subscriptions over
//! WebSocket on `/graphql`.

mod dispatcher;
mod pubsub;
pub(crate) mod ws;

pub use dispatcher::{BATCH, CONCURRENCY, DispatcherOptions, dispatch_workspace, spawn_dispatcher};
pub use pubsub::{PubSub, PubSubError, REDIS_CHANNEL_PREFIX};
pub use ws::token_from_init_payload;
