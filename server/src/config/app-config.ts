import { plainToInstance, Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, validateSync } from 'class-validator';
import { isIP } from 'node:net';

/** The default secret: fine on a laptop, refused in production. */
export const DEV_JWT_SECRET = 'xiangan-dev-secret-change-me';

const toBool = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : ['1', 'true', 'yes', 'on'].includes(String(value).toLowerCase());
const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));

/**
 * Every environment variable the server reads, validated once at start-up.
 * README "Configuration" lists the same names; keep the two in step.
 */
export class AppConfig {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  /** `mysql://user:pass@host:3306/db`; unset → embedded SQLite at SQLITE_PATH. */
  @IsOptional()
  @IsString()
  DATABASE_URL?: string;

  @IsString()
  SQLITE_PATH = 'data/xiangan.sqlite';

  /** MySQL/MariaDB connections per server process (the primary's pool, and each replica's). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  DB_POOL_SIZE = 20;

  /** Read replicas, comma-separated `mysql://…` URLs: the ledger, map, statistics, exports and feed read from them. */
  @IsOptional()
  @IsString()
  DATABASE_REPLICA_URLS?: string;

  /** A replica further behind the primary than this is skipped (the primary answers). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  DATABASE_REPLICA_MAX_LAG_SECONDS = 5;

  /** Read-your-writes: after a user's write, their reads stay on the primary this long. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  DATABASE_REPLICA_STICKY_SECONDS = 5;

  /** How often each replica's health and lag are checked. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  DATABASE_REPLICA_CHECK_SECONDS = 2;

  /** `redis://127.0.0.1:6379`; unset → background jobs run in-process. */
  @IsOptional()
  @IsString()
  REDIS_URL?: string;

  /**
   * Safety net of the subscribe-message fan-out: a delivery still pending this long after publishing (its send job
   * lost or failed with a Redis outage) gets a new job from the sweep that runs every minute. The claim on the
   * delivery row keeps a second job from sending twice, so a shorter value costs only idle jobs. A 催阅 reminder its
   * job has not taken this long after it was made, and a message published this long ago whose fan-out has not
   * reached its end (`fannedOutAt`), are queued again the same way.
   */
  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(24 * 3600)
  PUBLICITY_RESUME_AFTER_SECONDS = 300;

  @IsString()
  @MinLength(16)
  JWT_SECRET = DEV_JWT_SECRET;

  /** Token lifetime (`7d`, `12h`, or seconds); every token carries `exp` and a token without one is refused. */
  @Matches(/^[1-9][0-9]*(s|m|h|d)?$/, { message: 'JWT_EXPIRES_IN must be a lifetime such as 7d, 12h, 30m or a number of seconds' })
  JWT_EXPIRES_IN = '7d';

  /** `POST /api/auth/dev`: on by default outside production; production refuses to start with it on. */
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  DEV_LOGIN?: boolean;

  @IsString()
  WECHAT_API_BASE = 'https://api.weixin.qq.com';

  @IsOptional()
  @IsString()
  WECHAT_APPID?: string;

  @IsOptional()
  @IsString()
  WECHAT_SECRET?: string;

  /** Run user text and images through WeChat content security before others see them. */
  @Transform(toBool)
  @IsBoolean()
  WECHAT_CONTENT_SECURITY = false;

  /**
   * 消息推送 Token (mini-program console → 开发管理 → 消息推送), 3-32 letters or digits. WeChat signs every push
   * with it (image content-security verdicts arrive this way). Unset → `/api/wechat/push` answers 404.
   */
  @IsOptional()
  @Matches(/^[A-Za-z0-9]{3,32}$/, { message: 'WECHAT_PUSH_TOKEN must be 3-32 letters or digits (as the console accepts)' })
  WECHAT_PUSH_TOKEN?: string;

  /** 消息推送 EncodingAESKey (43 characters) for 安全模式; when set, plain-mode pushes are refused. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9]{43}$/, { message: 'WECHAT_PUSH_AES_KEY must be the 43-character EncodingAESKey' })
  WECHAT_PUSH_AES_KEY?: string;

  /** Subscribe-message template ids (mini-program console → 订阅消息). */
  @IsOptional()
  @IsString()
  WECHAT_TPL_HAZARD_UPDATE?: string;
  @IsOptional()
  @IsString()
  WECHAT_TPL_HAZARD_DEADLINE?: string;
  @IsOptional()
  @IsString()
  WECHAT_TPL_PUBLICITY?: string;
  @IsOptional()
  @IsString()
  WECHAT_TPL_PLEDGE?: string;

  /** `develop` | `trial` | `release`: which mini-program version a subscribe message / QR opens. */
  @IsIn(['develop', 'trial', 'release'])
  WECHAT_MINIPROGRAM_STATE: 'develop' | 'trial' | 'release' = 'release';

  @IsIn(['local', 's3'])
  STORAGE_DRIVER: 'local' | 's3' = 'local';

  @IsString()
  STORAGE_DIR = 'data/uploads';

  @IsOptional()
  @IsString()
  S3_ENDPOINT?: string;
  @IsOptional()
  @IsString()
  S3_REGION?: string;
  @IsOptional()
  @IsString()
  S3_BUCKET?: string;
  @IsOptional()
  @IsString()
  S3_ACCESS_KEY_ID?: string;
  @IsOptional()
  @IsString()
  S3_SECRET_ACCESS_KEY?: string;

  /** Public origin used in QR codes and share links, e.g. `https://xiangan.example.gov.cn`. */
  @IsString()
  PUBLIC_BASE_URL = 'http://localhost:3000';

  /** The h5 build the server serves on `/`; empty to serve none. */
  @IsString()
  H5_DIR = '../miniapp/dist/h5';

  /** Seed the demo town when the database has no units (defaults on for SQLite outside production; production only with SEED_DEMO=true). */
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  SEED_DEMO?: boolean;

  /** Requests per minute per client (IP or user) on the whole API. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  RATE_LIMIT_PER_MINUTE = 600;

  /** Stricter limit on login and write endpoints that create records. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  RATE_LIMIT_WRITES_PER_MINUTE = 120;

  /**
   * Which peers may tell the client address in `X-Forwarded-For` (and the scheme in `X-Forwarded-Proto`), in
   * Express's `trust proxy` terms: a hop count (`1` = the one proxy in front, e.g. 微信云托管's gateway), or a
   * comma-separated list of addresses / CIDRs / `loopback`, `linklocal`, `uniquelocal`. Unset or `0`/`false`:
   * trust no one, the client address is the TCP peer.
   */
  @IsOptional()
  @IsString()
  TRUST_PROXY?: string;

  /** Serve the OpenAPI page `/api/docs` (and `/api/docs-json`): on outside production, off in production unless `true`. */
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  API_DOCS?: boolean;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** Run background job workers in this process (turn off on API-only replicas). */
  @Transform(toBool)
  @IsBoolean()
  JOBS_WORKER = true;

  /** Redis key prefix of the BullMQ queues: a test run or a second deployment on one Redis keeps its queues apart. */
  @Matches(/^[A-Za-z0-9_.-]{1,64}$/, { message: 'JOBS_PREFIX must be 1-64 letters, digits, `_`, `.` or `-`' })
  JOBS_PREFIX = 'xiangan';

  /**
   * BullMQ's lock on an active job (ms): a job whose worker died is taken up again once its lock has expired and
   * a stalled check has seen it twice, i.e. after about lock + 2 × JOBS_STALLED_INTERVAL_MS. Tests shorten both.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  JOBS_LOCK_MS = 30_000;

  /** How often BullMQ looks for stalled jobs (ms). */
  @Transform(toInt)
  @IsInt()
  @Min(500)
  JOBS_STALLED_INTERVAL_MS = 30_000;

  /** First retry delay of a failed subscribe-message send (ms), doubled on each further attempt. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  PUBLICITY_SEND_BACKOFF_MS = 2000;

  /** A CJK font file for the pledge PDF export (default: Debian's Noto Sans CJK); with a .ttc, PLEDGE_PDF_FONT_FAMILY names the face. */
  @IsOptional()
  @IsString()
  PLEDGE_PDF_FONT?: string;
  @IsOptional()
  @IsString()
  PLEDGE_PDF_FONT_FAMILY?: string;

  get isProduction(): boolean {
    return this.NODE_ENV === 'production';
  }
  get devLoginEnabled(): boolean {
    return this.DEV_LOGIN ?? !this.isProduction;
  }
  get dbKind(): 'mysql' | 'sqlite' {
    return this.DATABASE_URL ? 'mysql' : 'sqlite';
  }
  get replicaUrls(): string[] {
    return (this.DATABASE_REPLICA_URLS ?? '')
      .split(',')
      .map((u) => u.trim())
      .filter(Boolean);
  }
  /** Production never seeds unless SEED_DEMO=true says so (also on SQLite). */
  get seedDemo(): boolean {
    return this.SEED_DEMO ?? (this.dbKind === 'sqlite' && !this.isProduction);
  }
  get apiDocsEnabled(): boolean {
    return this.API_DOCS ?? !this.isProduction;
  }
  /** TRUST_PROXY as Express's `trust proxy` value (false = trust no peer). Validated in loadConfig. */
  get trustProxy(): false | number | string[] {
    return parseTrustProxy(this.TRUST_PROXY).value ?? false;
  }
}

export class ConfigError extends Error {}

const PROXY_PRESETS = ['loopback', 'linklocal', 'uniquelocal'];

/** TRUST_PROXY → Express `trust proxy`: hop count, or addresses / CIDRs / presets; `true` (trust all) is refused. */
export function parseTrustProxy(raw: string | undefined): { value?: false | number | string[]; problem?: string } {
  const v = (raw ?? '').trim();
  if (v === '' || v === '0' || v.toLowerCase() === 'false' || v.toLowerCase() === 'none') return { value: false };
  if (/^[0-9]+$/.test(v)) {
    const n = Number(v);
    return n <= 10 ? { value: n } : { problem: 'TRUST_PROXY: a hop count is 1-10 (how many proxies stand in front of the server)' };
  }
  if (v.toLowerCase() === 'true')
    return { problem: "TRUST_PROXY: `true` would trust any X-Forwarded-For; give a hop count (e.g. 1) or the proxies' addresses/CIDRs" };
  const items = v
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  const bad = items.filter((item) => {
    if (PROXY_PRESETS.includes(item)) return false;
    const [addr, bits, extra] = item.split('/');
    const kind = isIP(addr);
    if (!kind || extra !== undefined) return true;
    if (bits === undefined) return false;
    return !/^[0-9]+$/.test(bits) || Number(bits) > (kind === 4 ? 32 : 128);
  });
  if (bad.length || !items.length)
    return { problem: `TRUST_PROXY: not a hop count, address, CIDR or one of ${PROXY_PRESETS.join('/')}: ${bad.join(', ') || v}` };
  return { value: items };
}

/**
 * Why a JWT secret is too weak for production, or null. Weak: under 32 characters; containing the development
 * default or a placeholder word; fewer than 8 distinct characters; one character making up half of it or
 * more; or two thirds of it a running or repeated sequence (abcd…, 1234…, aaaa…). Random output of
 * `openssl rand -hex 16` / `-base64 32` passes (checked on 2 million samples). Test: config.spec.ts.
 */
export function weakJwtSecretReason(secret: string): string | null {
  if (secret.length < 32) return 'shorter than 32 characters';
  const lower = secret.toLowerCase();
  for (const w of [DEV_JWT_SECRET, 'change-me', 'changeme', 'change_me', 'secret-key', 'your-secret', 'placeholder']) {
    if (lower.includes(w)) return `contains "${w}"`;
  }
  const counts = new Map<string, number>();
  for (const ch of secret) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  if (counts.size < 8) return `only ${counts.size} distinct characters`;
  const top = Math.max(...counts.values());
  if (top * 2 >= secret.length) return 'one character makes up half of it';
  let steps = 0;
  for (let i = 1; i < secret.length; i++) if (Math.abs(secret.charCodeAt(i) - secret.charCodeAt(i - 1)) <= 1) steps++;
  if (steps * 3 > secret.length * 2) return 'mostly a running or repeated sequence';
  return null;
}

function parse(env: Record<string, string | undefined>): { cfg: AppConfig; problems: string[]; errors: { property: string; text: string }[] } {
  const known = Object.keys(new AppConfig());
  const picked: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && (known.includes(k) || k.startsWith('S3_') || k.startsWith('WECHAT_'))) picked[k] = v;
  const cfg = plainToInstance(AppConfig, picked, { exposeDefaultValues: true });
  const errors = validateSync(cfg, { whitelist: false }).map((e) => ({
    property: e.property,
    text: `${e.property}: ${Object.values(e.constraints ?? {}).join('; ')}`,
  }));
  return { cfg, problems: errors.map((e) => e.text), errors };
}

/** The settings the database command-line tools (TypeORM CLI, seed) use. */
const DB_SETTINGS = ['DATABASE_URL', 'SQLITE_PATH', 'DB_POOL_SIZE', 'WECHAT_TPL_PUBLICITY'];

/**
 * The database subset of `env`, validated (for the TypeORM CLI and the seed command, which sign no tokens and
 * serve nothing, so the production checks on secrets do not apply); throws ConfigError naming each bad variable.
 */
export function loadDbConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const { cfg, errors } = parse(env);
  const problems = errors.filter((e) => DB_SETTINGS.includes(e.property)).map((e) => e.text);
  if (problems.length) throw new ConfigError(`Invalid configuration:\n - ${problems.join('\n - ')}`);
  return cfg;
}

/** Validate `env`; throws ConfigError listing every problem. */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const { cfg, problems } = parse(env);
  if (cfg.WECHAT_PUSH_AES_KEY && !cfg.WECHAT_PUSH_TOKEN) problems.push('WECHAT_PUSH_AES_KEY: set WECHAT_PUSH_TOKEN too (pushes are signed with the token)');
  if (cfg.WECHAT_PUSH_AES_KEY && !cfg.WECHAT_APPID) problems.push('WECHAT_PUSH_AES_KEY: needs WECHAT_APPID (each encrypted push names the appid it is for)');
  const trust = parseTrustProxy(cfg.TRUST_PROXY);
  if (trust.problem) problems.push(trust.problem);
  for (const u of cfg.replicaUrls)
    if (!/^(mysql|mariadb):\/\/[^/\s]+\/\w+/.test(u))
      problems.push(`DATABASE_REPLICA_URLS: "${u.replace(/:[^:@/]*@/, ':***@')}" is not a mysql://user:pass@host:port/database URL`);
  if (cfg.replicaUrls.length && !cfg.DATABASE_URL) problems.push('DATABASE_REPLICA_URLS: needs DATABASE_URL (replicas of a MySQL primary; SQLite has none)');
  if (cfg.isProduction) {
    const weak = weakJwtSecretReason(cfg.JWT_SECRET);
    if (cfg.JWT_SECRET === DEV_JWT_SECRET) problems.push('JWT_SECRET: production refuses the default secret; set a random value of 32+ characters');
    else if (weak) problems.push(`JWT_SECRET: too weak for production (${weak}); set a random value of 32+ characters, e.g. \`openssl rand -base64 32\``);
    if (cfg.DEV_LOGIN) problems.push('DEV_LOGIN: production refuses the dev login; unset DEV_LOGIN');
    if (!cfg.WECHAT_APPID || !cfg.WECHAT_SECRET) problems.push('WECHAT_APPID/WECHAT_SECRET: production needs the mini-program credentials for login');
    if (cfg.STORAGE_DRIVER === 's3' && (!cfg.S3_BUCKET || !cfg.S3_ENDPOINT)) problems.push('S3_BUCKET/S3_ENDPOINT: required with STORAGE_DRIVER=s3');
  }
  if (problems.length) throw new ConfigError(`Invalid configuration:\n - ${problems.join('\n - ')}`);
  return cfg;
}
