package io.agentchat.server.cluster;

import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The cluster's channels in Redis. Per channel {@code #c}: {@code agentchat:{#c}:info} (hash:
 * {@code private}, {@code creator}, {@code address}, {@code generation}, or {@code permanent} for a
 * default channel) and {@code agentchat:{#c}:invites} (set of ids), both with a TTL of the empty
 * channel grace, renewed by every relay that still has readers in it. The quotas are sorted sets
 * scored by expiry time: {@code agentchat:channels} (all created channels),
 * {@code agentchat:channels:public}, {@code agentchat:creator:<id>} and {@code agentchat:address:<ip>};
 * an entry whose time has passed no longer counts. A channel's keys and the quota sets live in
 * different hash slots, so this needs one Redis, not a Redis Cluster (docs/cluster.md).
 */
final class RedisChannelDirectory implements ChannelDirectory {
    /** A default channel's entry outlives a quiet day; every relay that has it renews it. */
    private static final long PERMANENT_TTL_MILLIS = Duration.ofDays(1).toMillis();

    /**
     * KEYS: info, invites, meta, log. ARGV: ttl ms. A created channel of that name is taken over
     * with a fresh history, so its members' messages are not read in the default channel.
     */
    private static final String KEEP_DEFAULT = """
            if redis.call('HGET', KEYS[1], 'permanent') ~= '1' then
              redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
              redis.call('HSET', KEYS[1], 'permanent', '1')
            end
            redis.call('PEXPIRE', KEYS[1], ARGV[1])
            return 1
            """;

    /**
     * KEYS: info, invites, meta, log, all, public, creator, address. ARGV: private, creator,
     * address, generation, grace ms, max channels, max per creator, max per address, name. The
     * creator's invite to a private channel is recorded apart ({@link #invite}).
     */
    private static final String CREATE = LuaScript.NOW + """
            if redis.call('EXISTS', KEYS[1]) == 1 then return 'EXISTS' end
            for i = 5, 8 do redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now) end
            if redis.call('ZCARD', KEYS[5]) >= tonumber(ARGV[6]) then return 'TOO_MANY_CHANNELS' end
            if redis.call('ZCARD', KEYS[7]) >= tonumber(ARGV[7]) then return 'TOO_MANY_FOR_CREATOR' end
            if redis.call('ZCARD', KEYS[8]) >= tonumber(ARGV[8]) then return 'TOO_MANY_FOR_ADDRESS' end
            redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
            redis.call('HSET', KEYS[1], 'private', ARGV[1], 'creator', ARGV[2], 'address', ARGV[3], 'generation', ARGV[4])
            redis.call('PEXPIRE', KEYS[1], ARGV[5])
            local expiry = now + tonumber(ARGV[5])
            for i = 5, 8 do
              if i ~= 6 or ARGV[1] == '0' then
                redis.call('ZADD', KEYS[i], expiry, ARGV[9])
                redis.call('PEXPIRE', KEYS[i], ARGV[5])
              end
            end
            return 'CREATED'
            """;

    /**
     * KEYS: info, invites, all, public, creator, address. ARGV: generation, grace ms, name, private,
     * creator, address. An entry that is gone (Redis restarted empty) is written again.
     */
    private static final String RENEW = LuaScript.NOW + """
            if redis.call('EXISTS', KEYS[1]) == 0 then
              redis.call('HSET', KEYS[1], 'private', ARGV[4], 'creator', ARGV[5], 'address', ARGV[6], 'generation', ARGV[1])
            elseif redis.call('HGET', KEYS[1], 'generation') ~= ARGV[1] then
              return 0
            end
            local private = ARGV[4]
            local expiry = now + tonumber(ARGV[2])
            redis.call('PEXPIRE', KEYS[1], ARGV[2])
            redis.call('PEXPIRE', KEYS[2], ARGV[2])
            for i = 3, 6 do
              if i ~= 4 or private == '0' then
                redis.call('ZADD', KEYS[i], expiry, ARGV[3])
                redis.call('PEXPIRE', KEYS[i], ARGV[2])
              end
            end
            return 1
            """;

    /**
     * KEYS: info, invites. ARGV: id, max invites, generation ('' for a default channel, whose entry
     * has none). The invite list is the name's, so the generation is checked here, in the same step.
     */
    private static final String INVITE = """
            if redis.call('EXISTS', KEYS[1]) == 0 then return 'GONE' end
            if (redis.call('HGET', KEYS[1], 'generation') or '') ~= ARGV[3] then return 'OTHER_GENERATION' end
            if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then return 'RECORDED' end
            if redis.call('SCARD', KEYS[2]) >= tonumber(ARGV[2]) then return 'LIST_FULL' end
            redis.call('SADD', KEYS[2], ARGV[1])
            redis.call('PEXPIRE', KEYS[2], redis.call('PTTL', KEYS[1]))
            return 'RECORDED'
            """;

    /** KEYS: public. ARGV: max. The names whose time has not passed. */
    private static final String LIST_PUBLIC = LuaScript.NOW + """
            return redis.call('ZRANGEBYSCORE', KEYS[1], now, '+inf', 'LIMIT', 0, tonumber(ARGV[1]))
            """;

    private final StatefulRedisConnection<String, String> commands;
    private final LuaScript keepDefault;
    private final LuaScript create;
    private final LuaScript renew;
    private final LuaScript invite;
    private final LuaScript listPublic;

    RedisChannelDirectory(StatefulRedisConnection<String, String> commands) {
        this.commands = commands;
        this.keepDefault = new LuaScript(commands, KEEP_DEFAULT, ScriptOutputType.INTEGER);
        this.create = new LuaScript(commands, CREATE, ScriptOutputType.STATUS);
        this.renew = new LuaScript(commands, RENEW, ScriptOutputType.INTEGER);
        this.invite = new LuaScript(commands, INVITE, ScriptOutputType.STATUS);
        this.listPublic = new LuaScript(commands, LIST_PUBLIC, ScriptOutputType.MULTI);
    }

    @Override
    public void keepDefault(String channel) {
        answer(() -> keepDefault.call(commands, new String[] {info(channel), invites(channel), RedisKeys.meta(channel),
                RedisKeys.log(channel)}, Long.toString(PERMANENT_TTL_MILLIS)));
    }

    @Override
    public Creation create(String channel, Entry entry, Limits limits) {
        String[] keys = {info(channel), invites(channel), RedisKeys.meta(channel), RedisKeys.log(channel), RedisKeys.CHANNELS,
                RedisKeys.PUBLIC_CHANNELS, creatorKey(entry.creator()), addressKey(entry.creatorAddress())};
        String answer = answer(() -> create.call(commands, keys, entry.inviteOnly() ? "1" : "0", entry.creator(),
                entry.creatorAddress(), entry.generation(), Long.toString(limits.graceMillis()),
                Integer.toString(limits.maxChannels()), Integer.toString(limits.maxPerCreator()),
                Integer.toString(limits.maxPerAddress()), channel));
        return Creation.valueOf(answer);
    }

    @Override
    public Entry find(String channel) {
        Map<String, String> fields = answer(() -> commands.sync().hgetall(info(channel)));
        if (fields.isEmpty()) {
            return null;
        }
        if ("1".equals(fields.get("permanent"))) {
            return new Entry(false, null, null, null, true);
        }
        return new Entry("1".equals(fields.get("private")), fields.get("creator"), fields.get("address"),
                fields.get("generation"), false);
    }

    @Override
    public Invitation invite(String channel, String generation, String agentId, Limits limits) {
        String answer = answer(() -> invite.call(commands, new String[] {info(channel), invites(channel)}, agentId,
                Integer.toString(limits.maxInvites()), generation == null ? "" : generation));
        return Invitation.valueOf(answer);
    }

    @Override
    public boolean isInvited(String channel, String agentId) {
        return answer(() -> commands.sync().sismember(invites(channel), agentId));
    }

    @Override
    public boolean renew(String channel, Entry entry, Limits limits) {
        if (entry.permanent()) {
            keepDefault(channel);
            return true;
        }
        String[] keys = {info(channel), invites(channel), RedisKeys.CHANNELS, RedisKeys.PUBLIC_CHANNELS,
                creatorKey(entry.creator()), addressKey(entry.creatorAddress())};
        Long answer = answer(() -> renew.call(commands, keys, entry.generation(), Long.toString(limits.graceMillis()), channel,
                entry.inviteOnly() ? "1" : "0", entry.creator(), entry.creatorAddress()));
        return answer == 1;
    }

    @Override
    public List<String> publicChannels(int max) {
        List<Object> names = answer(() -> listPublic.call(commands, new String[] {RedisKeys.PUBLIC_CHANNELS}, Integer.toString(max)));
        List<String> list = new ArrayList<>(names.size());
        for (Object name : names) {
            list.add((String) name);
        }
        return list;
    }

    /** Redis's answer, or {@link ClusterUnavailableException} with one line saying why. */
    static <T> T answer(Supplier<T> call) {
        try {
            return call.get();
        } catch (RedisException e) {
            throw new ClusterUnavailableException("the cluster's Redis did not answer: " + e.getMessage(), e);
        }
    }

    private static String info(String channel) {
        return "agentchat:{" + channel + "}:info";
    }

    private static String invites(String channel) {
        return "agentchat:{" + channel + "}:invites";
    }

    private static String creatorKey(String creator) {
        return "agentchat:creator:" + creator;
    }

    private static String addressKey(String address) {
        return "agentchat:address:" + address;
    }
}
