package org.fossinfra.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.fossinfra.config.RateLimitConfig.Key;
import org.fossinfra.config.RateLimitConfig.Store;
import org.fossinfra.ratelimit.Policy;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads the top-level {@code redis} section, the {@code rate-limits} rules, and a frontend's or backend's
 * {@code rate-limits} references to them. A key of another policy is named as such ("'burst' is a setting of
 * token-bucket"), not as unknown.
 *
 * <p>Hazard: the Redis password must never reach a message; it is only passed on.
 */
final class RateLimitReader {
    static final List<String> REDIS_KEYS = List.of("address", "password", "timeout", "on-failure", "key-prefix");
    static final List<String> COMMON_KEYS = List.of("name", "policy", "key", "store", "size");
    static final Map<String, List<String>> POLICY_KEYS = Map.of(
            "fixed-window", List.of("limit", "window"),
            "sliding-window", List.of("limit", "window"),
            "token-bucket", List.of("rate", "burst"));
    static final List<String> STORES = List.of("local", "redis");
    static final List<String> ON_FAILURE = List.of("open", "closed");
    /** A check that may wait longer holds every request that long while Redis is slow: that is an outage too. */
    static final Duration MAX_REDIS_TIMEOUT = Duration.ofSeconds(10);
    /** The most memory one rule may take in the process, worst case (every key full). */
    static final long MAX_LOCAL_BYTES = 512L * 1024 * 1024;
    private static final Pattern RATE = Pattern.compile("(\\d{1,7})/(\\d{0,9})(ms|s|m|h|d)");
    private static final String HEADER_PREFIX = "header:";

    private RateLimitReader() {
    }

    static Optional<RedisConfig> readRedis(Section s) {
        if (!s.present()) {
            return Optional.empty();
        }
        s.allowOnly(REDIS_KEYS);
        HostPort address = s.required("address", "add address: 127.0.0.1:6379", "host:port", Addresses::server)
                .orElse(null);
        // An empty value (e.g. ${REDIS_PASSWORD:-}) means no password. Never echoed.
        Optional<String> password = s.secretText("password").filter(p -> !p.isEmpty());
        Duration timeout = s.duration("timeout", RedisConfig.DEFAULT_TIMEOUT, Duration.ofMillis(1));
        if (timeout.compareTo(MAX_REDIS_TIMEOUT) > 0) {
            s.parse("timeout", "a duration", text -> {
                throw new Invalid(text + " is above " + Durations.format(MAX_REDIS_TIMEOUT) + ": while Redis is slow,"
                        + " every checked request would wait that long", "use 10s or less; 50ms suits a Redis nearby");
            });
        }
        RedisConfig.OnFailure onFailure = s.parse("on-failure", "open or closed", text -> {
            if (!ON_FAILURE.contains(text)) {
                throw new Invalid("'" + text + "' is not a failure mode", Suggestions.oneOf(text, ON_FAILURE));
            }
            return RedisConfig.OnFailure.valueOf(text.toUpperCase(Locale.ROOT));
        }).orElse(RedisConfig.OnFailure.OPEN);
        String prefix = s.parse("key-prefix", "a string", text -> {
            if (text.isEmpty() || Scalars.hasSpaceOrControl(text)) {
                throw new Invalid("'" + text + "' is empty or has a space or a control character",
                        "write e.g. foss: or site-a:");
            }
            return text;
        }).orElse(RedisConfig.DEFAULT_KEY_PREFIX);
        return address == null ? Optional.empty()
                : Optional.of(new RedisConfig(address, password, timeout, onFailure, prefix, s.line()));
    }

    /** The rules of {@code rate-limits}; {@code redis} says whether a {@code redis} section was written. */
    static List<RateLimitConfig> read(Context ctx, Section top, boolean redis, CrossChecks checks) {
        List<RateLimitConfig> rules = new ArrayList<>();
        List<Node> nodes = top.list("rate-limits");
        for (int i = 0; i < nodes.size(); i++) {
            Section s = Section.of(ctx, nodes.get(i), "rate-limits[" + i + "]");
            if (s.present()) {
                RateLimitConfig rule = readRule(ctx, s, redis, checks);
                if (rule != null) {
                    rules.add(rule);
                }
            }
        }
        return rules;
    }

    /** The rule, or null when something in it was reported (the whole file is then refused anyway). */
    private static RateLimitConfig readRule(Context ctx, Section s, boolean redis, CrossChecks checks) {
        String name = s.required("name", "add name: per-client", "a name", Scalars::name).orElse(null);
        if (name != null) {
            s.label(name);
            checks.rateLimit(name, s.line("name"), s.field("name"));
        }
        String policyName = s.required("policy", "add policy: with one of " + String.join(", ", Policy.NAMES),
                "a policy", RateLimitReader::policyName).orElse(null);
        List<String> allowed = new ArrayList<>(COMMON_KEYS);
        if (policyName != null) {
            allowed.addAll(POLICY_KEYS.get(policyName));
        } else {
            // Unknown policy: every policy's keys pass, so that only the policy is reported.
            Policy.NAMES.forEach(p -> POLICY_KEYS.get(p).stream().filter(k -> !allowed.contains(k)).forEach(allowed::add));
        }
        s.allowOnly(allowed, key -> false, key -> misplaced(key, policyName));

        Policy policy = policyName == null ? null : switch (policyName) {
            case "fixed-window", "sliding-window" -> window(s, policyName);
            default -> tokenBucket(s);
        };
        Key key = s.parse("key", "client-address or header:<name>", RateLimitReader::key)
                .orElse(new RateLimitConfig.ClientAddress());
        Store store = s.parse("store", "local or redis", text -> {
            if (!STORES.contains(text)) {
                throw new Invalid("'" + text + "' is not a store", Suggestions.oneOf(text, STORES));
            }
            return Store.valueOf(text.toUpperCase(Locale.ROOT));
        }).orElse(Store.LOCAL);
        boolean ok = true;
        if (store == Store.REDIS && !redis) {
            ctx.error(s.line("store"), s.field("store"), "store: redis needs the top-level redis section, which is"
                    + " missing", "add redis: with address: 127.0.0.1:6379, or use store: local");
            ok = false;
        }
        // In the process: the most keys held, the least recently used going first. In Redis: the most keys the rule
        // holds across all nodes; a new one beyond is not made (see org.fossinfra.redis.KeyBudget).
        int size = s.size("size", RateLimitConfig.DEFAULT_SIZE, 1, RateLimitConfig.MAX_SIZE);
        if (policy != null && store == Store.LOCAL) {
            long worst = size * policy.localBytesPerKey();
            if (worst > MAX_LOCAL_BYTES) {
                String at = s.has("size") ? "size" : "limit";
                ctx.error(s.line(at), s.field(at), policyName + " keeps up to " + policy.localBytesPerKey()
                                + " bytes per key, so " + size + " keys may take " + worst / (1024 * 1024)
                                + " MiB, above the " + MAX_LOCAL_BYTES / (1024 * 1024) + " MiB a rule may use",
                        "lower size or limit, or use fixed-window or token-bucket, which keep 24 bytes per key");
                ok = false;
            }
        }
        if (!ok || name == null || policy == null) {
            return null;
        }
        return new RateLimitConfig(name, policy, key, store, size, s.line());
    }

    /** A frontend's or backend's {@code rate-limits}: names of rules, as one string or a list. */
    static List<String> refs(Context ctx, Section s, CrossChecks checks) {
        List<String> names = new ArrayList<>();
        Map<String, Integer> lines = new HashMap<>();
        List<Section.Item> items = s.textList("rate-limits");
        if (items.isEmpty() && s.node("rate-limits") instanceof SequenceNode seq && seq.getValue().isEmpty()) {
            ctx.error(s.line("rate-limits"), s.field("rate-limits"), "is empty",
                    "name at least one rule of the top-level rate-limits, or remove the key");
        }
        for (Section.Item item : items) {
            Integer first = lines.putIfAbsent(item.text(), item.line());
            if (first != null) {
                ctx.error(item.line(), item.field(), "rule '" + item.text() + "' is already applied here (line "
                        + first + ")", "remove one of them; a rule counts each request once");
                continue;
            }
            checks.rateLimitRef(item.text(), item.line(), item.field());
            names.add(item.text());
        }
        return names;
    }

    private static String policyName(String text) {
        if (!Policy.NAMES.contains(text)) {
            throw new Invalid("unknown policy '" + text + "'", Suggestions.oneOf(text, Policy.NAMES));
        }
        return text;
    }

    /** A key of another policy gets a message saying so; a truly unknown key the usual one (null). */
    private static Invalid misplaced(String key, String policy) {
        if (policy == null) {
            return null;
        }
        List<String> owners = Policy.NAMES.stream().filter(p -> POLICY_KEYS.get(p).contains(key)).toList();
        if (owners.isEmpty()) {
            return null;
        }
        return new Invalid("'" + key + "' is a setting of " + String.join(" and ", owners) + ", not of " + policy,
                policy + " takes " + String.join(" and ", POLICY_KEYS.get(policy)) + "; remove it");
    }

    private static Policy window(Section s, String policyName) {
        int limit = s.required("limit", "add limit: the most requests per window, e.g. limit: 100", "a number",
                text -> inRange("limit", Scalars.integer(text))).orElse(-1);
        Duration window = null;
        if (s.require("window", "add window: 10s")) {
            window = s.duration("window", Duration.ofSeconds(10), Duration.ofMillis(1));
            if (window.compareTo(Policy.MAX_WINDOW) > 0) {
                s.parse("window", "a duration", text -> {
                    throw new Invalid(text + " is above 1d", "use 1d or less");
                });
                window = null;
            }
        }
        if (limit < 0 || window == null) {
            return null;
        }
        return policyName.equals("fixed-window") ? Policy.fixedWindow(limit, window) : Policy.slidingWindow(limit, window);
    }

    private static Policy tokenBucket(Section s) {
        double rate = s.required("rate", "add rate: the tokens added per time, e.g. 10/s or 100/10s", "a rate",
                RateLimitReader::rate).orElse(-1.0);
        int burst = s.required("burst", "add burst: the bucket's size, e.g. 20", "a number",
                text -> inRange("burst", Scalars.integer(text))).orElse(-1);
        return rate < 0 || burst < 0 ? null : Policy.tokenBucket(rate, burst);
    }

    private static int inRange(String what, int n) {
        if (n < 1 || n > Policy.MAX_LIMIT) {
            throw new Invalid(what + " " + n + " is out of range", "use a value from 1 to " + Policy.MAX_LIMIT);
        }
        return n;
    }

    /** {@code 10/s}, {@code 100/10s}, {@code 5/m}: tokens per second. */
    static double rate(String text) {
        Matcher m = RATE.matcher(text.replace(" ", ""));
        if (!m.matches()) {
            throw new Invalid("expected a rate, found '" + text + "'", "write a count per time, e.g. 10/s, 100/10s or 5/m");
        }
        long count = Long.parseLong(m.group(1));
        long per = m.group(2).isEmpty() ? 1 : Long.parseLong(m.group(2));
        Duration d = Durations.parse(per + m.group(3));
        if (count == 0 || d.isZero()) {
            throw new Invalid("'" + text + "' is zero", "write a positive rate, e.g. 10/s");
        }
        double perSecond = count * 1e9 / d.toNanos();
        if (perSecond > Policy.MAX_LIMIT) {
            throw new Invalid("'" + text + "' is above " + Policy.MAX_LIMIT + " a second", "use a lower rate");
        }
        if (perSecond < 1.0 / 86_400) {
            throw new Invalid("'" + text + "' is below one a day", "use a higher rate, e.g. 1/d");
        }
        return perSecond;
    }

    /** {@code client-address} or {@code header:X-Api-Key}. */
    static Key key(String text) {
        if (text.equals("client-address")) {
            return new RateLimitConfig.ClientAddress();
        }
        if (text.regionMatches(true, 0, HEADER_PREFIX, 0, HEADER_PREFIX.length())) {
            String header = text.substring(HEADER_PREFIX.length()).trim();
            if (!Scalars.isToken(header)) {
                throw new Invalid("'" + header + "' is not a valid header name",
                        "write header:X-Api-Key (letters, digits and !#$%&'*+-.^_`|~ only)");
            }
            return new RateLimitConfig.Header(header);
        }
        throw new Invalid("unknown key '" + text + "'", Suggestions.nearest(text, List.of("client-address"))
                .map(k -> "did you mean '" + k + "'? Valid: client-address, header:<name>")
                .orElse("use client-address or header:<name>, e.g. header:X-Api-Key"));
    }
}
