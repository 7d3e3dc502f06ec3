// KV-event subscribers: per engine rank (seq tracking, replay, reset) and the manager that follows the pool.
export { kvEngineId, offsetEndpointPort } from "./endpoint-offset.ts";
export { startKvEventSubscriber } from "./kv-event-subscriber.ts";
export {
  type KvEventPoolView,
  type KvEventSink,
  type KvEventSubscriptions,
  type KvEventSubscriptionsOptions,
  type KvEventSubscriptionsStats,
  startKvEventSubscriptions,
} from "./kv-event-subscriptions.ts";
export type { KvEventSubscriber, KvEventSubscriberOptions, KvEventSubscriberStats } from "./types.ts";
