// Registers every built-in plugin type with its stability: one line per plugin.
import * as decodeFilter from "./filter/decode-filter.ts";
import * as healthFilter from "./filter/health-filter.ts";
import * as labelSelectorFilter from "./filter/label-selector-filter.ts";
import * as loraCapabilityFilter from "./filter/lora-capability-filter.ts";
import * as prefillFilter from "./filter/prefill-filter.ts";
import * as prefixCacheAffinityFilter from "./filter/prefix-cache-affinity-filter.ts";
import * as utilizationFilter from "./filter/utilization-filter.ts";
import * as maxScorePicker from "./picker/max-score-picker.ts";
import * as powerOfTwoChoicesPicker from "./picker/power-of-two-choices-picker.ts";
import * as randomPicker from "./picker/random-picker.ts";
import * as weightedRandomPicker from "./picker/weighted-random-picker.ts";
import * as approxPrefixCacheProducer from "./producer/approx-prefix-cache-producer.ts";
import * as singleProfileHandler from "./profile-handler/single-profile-handler.ts";
import { PluginRegistry } from "./registry.ts";
import * as activeRequestScorer from "./scorer/active-request-scorer.ts";
import * as kvCacheUtilizationScorer from "./scorer/kv-cache-utilization-scorer.ts";
import * as loraAffinityScorer from "./scorer/lora-affinity-scorer.ts";
import * as noHitLruScorer from "./scorer/no-hit-lru-scorer.ts";
import * as prefixCacheScorer from "./scorer/prefix-cache-scorer.ts";
import * as queueScorer from "./scorer/queue-scorer.ts";
import * as runningRequestsSizeScorer from "./scorer/running-requests-size-scorer.ts";
import * as sessionAffinityScorer from "./scorer/session-affinity-scorer.ts";
import * as tokenLoadScorer from "./scorer/token-load-scorer.ts";

/** A registry holding every built-in plugin type. */
export function createBuiltinRegistry(): PluginRegistry {
  const registry = new PluginRegistry();
  registry.register("filter", "stable", healthFilter);
  registry.register("filter", "stable", labelSelectorFilter);
  registry.register("filter", "beta", decodeFilter);
  registry.register("filter", "beta", prefillFilter);
  registry.register("filter", "beta", loraCapabilityFilter);
  registry.register("filter", "beta", utilizationFilter);
  registry.register("filter", "beta", prefixCacheAffinityFilter);
  registry.register("scorer", "stable", queueScorer);
  registry.register("scorer", "stable", kvCacheUtilizationScorer);
  registry.register("scorer", "stable", runningRequestsSizeScorer);
  registry.register("scorer", "beta", activeRequestScorer);
  registry.register("scorer", "beta", tokenLoadScorer);
  registry.register("scorer", "stable", prefixCacheScorer);
  registry.register("scorer", "beta", sessionAffinityScorer);
  registry.register("scorer", "beta", loraAffinityScorer);
  registry.register("scorer", "beta", noHitLruScorer);
  registry.register("picker", "stable", maxScorePicker);
  registry.register("picker", "stable", randomPicker);
  registry.register("picker", "beta", weightedRandomPicker);
  registry.register("picker", "beta", powerOfTwoChoicesPicker);
  registry.register("producer", "beta", approxPrefixCacheProducer);
  registry.register("profile-handler", "stable", singleProfileHandler);
  return registry;
}
