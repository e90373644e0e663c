// A TEST FAKE: fixed tokens for users other than the admin, so workers tests can be someone who
// is not in system:masters (RBAC, audit, rate limits). Off unless the Worker variable TEST_TOKENS
// is set; a real deployment never sets it. The format is upstream's --token-auth-file, one user
// per line: `token,user,uid,"group1,group2"` (uid and groups optional).
import type { Env } from "../../env.js";
import { constantTimeEqual } from "../constant-time.js";
import type { UserInfo } from "../user.js";

interface Entry {
  token: string;
  user: UserInfo;
}

/** One CSV line's fields; a field in double quotes may hold commas. */
function csvFields(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      const end = line.indexOf('"', i + 1);
      const stop = end < 0 ? line.length : end;
      out.push(line.slice(i + 1, stop));
      i = line.indexOf(",", stop);
      if (i < 0) break;
      i++;
    } else {
      const comma = line.indexOf(",", i);
      const stop = comma < 0 ? line.length : comma;
      out.push(line.slice(i, stop).trim());
      if (comma < 0) break;
      i = comma + 1;
    }
  }
  return out;
}

export function parseTestTokens(text: string): Entry[] {
  const entries: Entry[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const [token, username, uid, groups] = csvFields(line);
    if (!token || !username) continue;
    const user: UserInfo = { username, groups: groups ? groups.split(",").map((g) => g.trim()).filter(Boolean) : [] };
    if (uid) user.uid = uid;
    entries.push({ token, user });
  }
  return entries;
}

let cached: { text: string; entries: Entry[] } | undefined;

export async function testTokens(token: string, env: Env): Promise<UserInfo | undefined> {
  const text = env.TEST_TOKENS;
  if (!text) return undefined;
  if (cached?.text !== text) cached = { text, entries: parseTestTokens(text) };
  let found: UserInfo | undefined;
  // Every entry is compared, so the time does not say which one matched.
  for (const e of cached.entries) if (constantTimeEqual(token, e.token) && !found) found = e.user;
  return found ? { ...found, groups: [...found.groups] } : undefined;
}
