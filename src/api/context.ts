// The Hono environment of every route: the Worker's bindings, and the user the request
// authenticated as (set by the authentication middleware before any route runs).
import type { Context } from "hono";
import type { RequestInfo } from "../auth/attributes.js";
import type { UserInfo } from "../auth/user.js";
import type { Env } from "../env.js";

export type AppEnv = { Bindings: Env; Variables: { user: UserInfo; requestInfo?: RequestInfo } };
export type Ctx = Context<AppEnv>;
