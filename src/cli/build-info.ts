// Version facts baked in at build time (scripts/build.ts defines LLMUX_GIT_COMMIT).
import packageJson from "../../package.json" with { type: "json" };

export interface BuildInfo {
  readonly version: string;
  readonly commit: string;
  readonly bunVersion: string;
}

/** Version of llmux, the git commit it was built from ("dev" when run from source), Bun's version. */
export function buildInfo(): BuildInfo {
  return {
    version: packageJson.version,
    commit: process.env.LLMUX_GIT_COMMIT ?? "dev",
    bunVersion: Bun.version,
  };
}
