// Every command, in the order `traildigest --help` lists them. Each is data (command.ts); its use case
// loads only when it runs.
import type { CommandSpec, GroupSpec } from "./command.js";
import { notify } from "./notify/index.js";
import { schedules } from "./schedules/index.js";
import { queue } from "./queue/index.js";
import { trail } from "./trail/index.js";
import { local } from "./local/index.js";
import init from "./init.js";
import { setup } from "./setup/index.js";
import doctor from "./doctor.js";

export const COMMANDS: (GroupSpec | CommandSpec)[] = [notify, schedules, queue, trail, local, init, setup, doctor];
