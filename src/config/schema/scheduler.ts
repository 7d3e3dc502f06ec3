// `scheduler:` section in llm-d's EndpointPickerConfig vocabulary (plugins + schedulingProfiles).
// Plugin parameters are validated by each plugin's own schema when the registry builds them.
import { z } from "zod";

export const PluginSpecSchema = z.strictObject({
  type: z.string().min(1).describe("registered plugin type, e.g. queue-scorer"),
  name: z.string().min(1).optional().describe("instance name (defaults to type)"),
  parameters: z.record(z.string(), z.unknown()).optional(),
});

export const ProfilePluginRefSchema = z.strictObject({
  pluginRef: z.string().min(1),
  weight: z.number().min(0).optional().describe("scorer weight (default 1)"),
});

export const SchedulingProfileSchema = z.strictObject({
  name: z.string().min(1),
  plugins: z.array(ProfilePluginRefSchema).min(1),
});

export const SchedulerSchema = z.strictObject({
  plugins: z.array(PluginSpecSchema).default([]),
  schedulingProfiles: z.array(SchedulingProfileSchema).default([]),
  seed: z.number().int().min(0).optional().describe("seed for tie-breaks (random when absent)"),
  metricsIntervalMs: z.number().int().min(25).default(100).describe("engine /metrics scrape interval"),
  metricsStalenessMs: z.number().int().min(50).default(2000).describe("older metrics count as saturated"),
});

export type SchedulerConfig = z.infer<typeof SchedulerSchema>;
