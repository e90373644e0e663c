// The API server: a Hono app. Routes stay thin; the registry and the store do the work.
import { Hono } from "hono";
import type { Env } from "../env.js";

export const app = new Hono<{ Bindings: Env }>();
app.get("/healthz", (c) => c.text("ok"));
app.get("/livez", (c) => c.text("ok"));
app.get("/readyz", (c) => c.text("ok"));
