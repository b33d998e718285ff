//! Pub/sub of record events to live subscribers: in-process only, or through Redis so a
//! subscriber on any instance gets the events of every instance.
//!
//! # Redis layout
//! One channel per workspace, `tessera:events:<workspaceId>` (Twenty names its channels
//! `<channel>:<workspaceId>` too), message = the [`RecordEvent`] as JSON. Every instance
//! holds ONE dedicated connection with `PSUBSCRIBE tessera:events:*`, opened at start: no
//! per-subscription round trip, and no window in which a new subscriber misses an event
//! because its `SUBSCRIBE` is still in flight. The cost is that every instance receives every
//! workspace's events; per-workspace channels leave the door open to switching to
//! `SUBSCRIBE` per workspace with local subscribers when that traffic matters. `PUBLISH` goes
//! through a deadpool-redis pool. Redis pub/sub is fire-and-forget: while an instance's
//! subscriber connection is down (it reconnects with backoff), its subscribers miss events;
//! the outbox still holds them for durable consumers.
//!
//! # Local fan-out
//! One tokio broadcast channel per workspace with live subscribers. Events of a workspace
//! reach it in outbox order; an event at or behind the last delivered position
//! `(txid, seq)` is a re-delivery (the dispatcher is at-least-once) and is dropped, so a
//! subscriber sees each event once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use deadpool_redis::redis;
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use tessera_core::{RecordEvent, WorkspaceId};
use tokio::sync::broadcast;

/// Prefix of the per-workspace Redis channels.
pub const REDIS_CHANNEL_PREFIX: &str = "tessera:events:";
/// Events buffered per workspace for a slow subscriber before it starts losing the oldest.
const LOCAL_BUFFER: usize = 1024;

/// Why publishing (or the Redis health check) failed.
#[derive(Debug, thiserror::Error)]
pub enum PubSubError {
    /// Redis refused or could not be reached.
    #[error("redis: {0}")]
    Redis(#[from] redis::RedisError),
    /// No pooled Redis connection could be had.
    #[error("redis pool: {0}")]
    Pool(#[from] deadpool_redis::PoolError),
    /// The Redis URL is not valid.
    #[error("redis configuration: {0}")]
    Config(#[from] deadpool_redis::CreatePoolError),
    /// An event could not be serialised.
    #[error("event JSON: {0}")]
    Json(#[from] serde_json::Error),
}

impl tessera_core::CodedError for PubSubError {
    fn code(&self) -> tessera_core::ErrorCode {
        tessera_core::ErrorCode::InternalServerError
    }
}

/// The pub/sub handle. Cheap to clone.
#[derive(Clone)]
pub struct PubSub {
    inner: Arc<Inner>,
}

struct Inner {
    local: Mutex<HashMap<WorkspaceId, Channel>>,
    redis: Option<deadpool_redis::Pool>,
}

struct Channel {
    sender: broadcast::Sender<Arc<RecordEvent>>,
    /// Position of the last event delivered, for deduplication.
    last: Option<(i64, i64)>,
}

impl std::fmt::Debug for PubSub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PubSub")
            .field("redis", &self.inner.redis.is_some())
            .finish_non_exhaustive()
    }
}

impl PubSub {
    /// In-process pub/sub: subscribers get the events this process dispatches.
    pub fn local() -> PubSub {
        PubSub {
            inner: Arc::new(Inner {
                local: Mutex::new(HashMap::new()),
                redis: None,
            }),
        }
    }

    /// Pub/sub through Redis at `url`: checks the server answers, then keeps a subscriber
    /// connection (reconnecting with backoff) that feeds this process's subscribers.
    ///
    /// Errors: [`PubSubError`] when the URL is invalid or Redis does not answer.
    pub async fn redis(url: &str) -> Result<PubSub, PubSubError> {
        let pool = deadpool_redis::Config::from_url(url)
            .create_pool(Some(deadpool_redis::Runtime::Tokio1))?;
        let pubsub = PubSub {
            inner: Arc::new(Inner {
                local: Mutex::new(HashMap::new()),
                redis: Some(pool),
            }),
        };
        pubsub.ping().await?;
        let client = redis::Client::open(url)?;
        let mut connection = client.get_async_pubsub().await?;
        connection
            .psubscribe(format!("{REDIS_CHANNEL_PREFIX}*"))
            .await?;
        tokio::spawn(subscriber_loop(
            Arc::downgrade(&pubsub.inner),
            client,
            connection,
        ));
        Ok(pubsub)
    }

    /// Whether events travel through Redis.
    pub fn uses_redis(&self) -> bool {
        self.inner.redis.is_some()
    }

    /// Checks Redis answers `PING` (always `Ok` without Redis).
    ///
    /// Errors: [`PubSubError`].
    pub async fn ping(&self) -> Result<(), PubSubError> {
        if let Some(pool) = &self.inner.redis {
            let mut conn = pool.get().await?;
            let _: String = redis::cmd("PING").query_async(&mut conn).await?;
        }
        Ok(())
    }

    /// Publishes events (in order): to Redis (one pipelined round trip) when configured, which
    /// brings them back to every instance's subscribers, this one's included; else straight
    /// to this process's subscribers.
    ///
    /// Errors: [`PubSubError`] (Redis down); nothing is known to be delivered then.
    pub async fn publish(&self, events: &[RecordEvent]) -> Result<(), PubSubError> {
        match &self.inner.redis {
            Some(pool) => {
                let mut pipe = redis::pipe();
                for event in events {
                    pipe.publish(
                        format!("{REDIS_CHANNEL_PREFIX}{}", event.workspace_id),
                        serde_json::to_string(event)?,
                    )
                    .ignore();
                }
                let mut conn = pool.get().await?;
                let () = pipe.query_async(&mut conn).await?;
            }
            None => {
                for event in events {
                    self.inner.deliver(event.clone());
                }
            }
        }
        Ok(())
    }

    /// How many live subscriptions of `workspace` this process holds (tests wait on it).
    pub fn subscriber_count(&self, workspace: WorkspaceId) -> usize {
        self.inner
            .local
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&workspace)
            .map_or(0, |c| c.sender.receiver_count())
    }

    /// This process's live events of `workspace`, from now on.
    pub fn subscribe(&self, workspace: WorkspaceId) -> BoxStream<'static, Arc<RecordEvent>> {
        let receiver = {
            let mut local = self
                .inner
                .local
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            local
                .entry(workspace)
                .or_insert_with(|| Channel {
                    sender: broadcast::channel(LOCAL_BUFFER).0,
                    last: None,
                })
                .sender
                .subscribe()
        };
        futures_util::stream::unfold(receiver, |mut receiver| async move {
            loop {
                match receiver.recv().await {
                    Ok(event) => return Some((event, receiver)),
                    Err(broadcast::error::RecvError::Lagged(n)) => {
                        tracing::warn!(skipped = n, "a slow subscriber lost events");
                    }
                    Err(broadcast::error::RecvError::Closed) => return None,
                }
            }
        })
        .boxed()
    }
}

impl tessera_graphql::EventSource for PubSub {
    fn subscribe(&self, workspace: WorkspaceId) -> BoxStream<'static, Arc<RecordEvent>> {
        PubSub::subscribe(self, workspace)
    }
}

impl Inner {
    /// Hands an event to this process's subscribers of its workspace, once.
    fn deliver(&self, event: RecordEvent) {
        let mut local = self.local.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(channel) = local.get_mut(&event.workspace_id) else {
            return;
        };
        if channel.sender.receiver_count() == 0 {
            local.remove(&event.workspace_id);
            return;
        }
        let position = (event.txid, event.seq);
        if channel.last.is_some_and(|last| position <= last) {
            return;
        }
        channel.last = Some(position);
        // An error only means every receiver went away since the check: nothing to do.
        let _ = channel.sender.send(Arc::new(event));
    }
}

/// Reads the pattern subscription until the pub/sub handle is dropped; reconnects with
/// backoff (100 ms doubling to 5 s) when the connection drops.
async fn subscriber_loop(
    inner: std::sync::Weak<Inner>,
    client: redis::Client,
    connection: redis::aio::PubSub,
) {
    let mut connection = Some(connection);
    let mut backoff = Duration::from_millis(100);
    loop {
        let conn = match connection.take() {
            Some(conn) => conn,
            None => {
                let attempt = async {
                    let mut conn = client.get_async_pubsub().await?;
                    conn.psubscribe(format!("{REDIS_CHANNEL_PREFIX}*")).await?;
                    Ok::<_, redis::RedisError>(conn)
                };
                match attempt.await {
                    Ok(conn) => {
                        tracing::info!("redis event subscription restored");
                        backoff = Duration::from_millis(100);
                        conn
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "redis event subscription: reconnect failed");
                        tokio::time::sleep(backoff).await;
                        backoff = (backoff * 2).min(Duration::from_secs(5));
                        if inner.strong_count() == 0 {
                            return;
                        }
                        continue;
                    }
                }
            }
        };
        let mut messages = conn.into_on_message();
        while let Some(message) = messages.next().await {
            let Some(inner) = inner.upgrade() else {
                return;
            };
            match serde_json::from_slice::<RecordEvent>(message.get_payload_bytes()) {
                Ok(event) => inner.deliver(event),
                Err(e) => {
                    tracing::warn!(error = %e, channel = message.get_channel_name(), "unreadable event message")
                }
            }
        }
        if inner.strong_count() == 0 {
            return;
        }
        tracing::warn!("redis event subscription lost; reconnecting");
        tokio::time::sleep(backoff).await;
    }
}
