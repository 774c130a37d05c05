#!/usr/bin/env node
// The `spcat` command of the package: loads tsx so the TypeScript sources run
// as they are (no build step), then starts the CLI.
import { register } from "tsx/esm/api";

register();
await import("./spcat.ts");
