#!/usr/bin/env node
// The `sp-conformance` command of the package: loads tsx so the TypeScript
// sources run as they are (no build step), then starts the conformance runner.
import { register } from "tsx/esm/api";

register();
await import("../runner/main.ts");
