package io.agentchat.server.cluster;

/**
 * The Lua scripts of {@link RedisDirectory}, each run atomically by Redis, so a DM, a proof and a
 * departure are each one step in Redis's order (docs/cluster.md, "DMs and identity").
 */
final class DirectoryScripts {
    private DirectoryScripts() {
    }

    /** A held DM of {@code cost} leaves its sender address's share ({@code agentchat:held-by:<address>}). */
    private static final String RELEASE = """
            local function release(address, cost)
              local key = 'agentchat:held-by:' .. address
              if tonumber(redis.call('GET', key) or '0') > tonumber(cost) then
                redis.call('DECRBY', key, cost)
              else
                redis.call('DEL', key)
              end
            end
            """;

    /**
     * KEYS: held, dms, held-by. ARGV: topic, frame, sender id, sender address, cost, max messages,
     * max bytes, address share, held age ms, "1" to publish first. A DM is published and held as
     * {@code <sender> <address> <cost> <frame>}. A full mailbox drops the oldest DM of the sender
     * holding the most, unless that is this sender (as HeldMessages does on one relay).
     */
    static final String DM = RELEASE + """
            local entry = ARGV[3] .. ' ' .. ARGV[4] .. ' ' .. ARGV[5] .. ' ' .. ARGV[2]
            if ARGV[10] == '1' and redis.call('PUBLISH', ARGV[1], 'dm ' .. entry) > 0 then return 'SENT' end
            if redis.call('EXISTS', KEYS[1]) == 0 then return 'NOT_HELD' end
            local cost = tonumber(ARGV[5])
            local used = tonumber(redis.call('GET', KEYS[3]) or '0')
            if used + cost > tonumber(ARGV[8]) then return 'SENDER_FULL' end
            local bytes = tonumber(redis.call('HGET', KEYS[1], 'bytes') or '0')
            local function full(count) return count >= tonumber(ARGV[6]) or bytes + cost > tonumber(ARGV[7]) end
            -- The whole mailbox is read only when one must go: a DM into room costs no copy of it.
            local entries = {}
            if full(redis.call('LLEN', KEYS[2])) then entries = redis.call('LRANGE', KEYS[2], 0, -1) end
            while full(#entries) do
              local counts, top = {}, nil
              for _, e in ipairs(entries) do
                local s = string.match(e, '^(%S+)')
                counts[s] = (counts[s] or 0) + 1
                if top == nil or counts[s] > counts[top] then top = s end
              end
              if top == nil or (counts[ARGV[3]] or 0) >= counts[top] then return 'FULL' end
              for i, e in ipairs(entries) do
                local s, a, c = string.match(e, '^(%S+) (%S+) (%d+) ')
                if s == top then
                  redis.call('LREM', KEYS[2], 1, e)
                  bytes = bytes - tonumber(c)
                  release(a, c)
                  table.remove(entries, i)
                  break
                end
              end
            end
            redis.call('INCRBY', KEYS[3], cost)
            redis.call('PEXPIRE', KEYS[3], ARGV[9])
            redis.call('RPUSH', KEYS[2], entry)
            redis.call('HSET', KEYS[1], 'bytes', bytes + cost)
            local ttl = redis.call('PTTL', KEYS[1])
            if ttl > 0 then redis.call('PEXPIRE', KEYS[2], ttl) end
            return 'HELD'
            """;

    /**
     * KEYS: owner, held, dms, claims. ARGV: pubkey, topic, owner ttl ms. Returns {0} (refused) or
     * {claim, held frames...}. The owner record of another key (or of none: an ephemeral holder's,
     * see EPHEMERAL) counts only while a relay other than
     * the claimer's is subscribed to the id (a relay killed with its holder leaves it behind). Claim
     * numbers start from Redis's clock in microseconds, so after Redis restarts empty a new claim
     * still outnumbers every claim the relays remember.
     */
    static final String CLAIM = RELEASE + """
            local boxKey = redis.call('HGET', KEYS[2], 'pubkey')
            if boxKey and boxKey ~= ARGV[1] then return {0} end
            local owner = redis.call('HGET', KEYS[1], 'pubkey')
            if owner and owner ~= ARGV[1] and redis.call('PUBSUB', 'NUMSUB', ARGV[2])[2] > 1 then return {0} end
            if redis.call('EXISTS', KEYS[4]) == 0 then
              local now = redis.call('TIME')
              redis.call('SET', KEYS[4], now[1] .. string.format('%06d', tonumber(now[2])))
            end
            local claim = redis.call('INCR', KEYS[4])
            redis.call('HSET', KEYS[1], 'pubkey', ARGV[1], 'claim', string.format('%d', claim))
            redis.call('PEXPIRE', KEYS[1], ARGV[3])
            redis.call('PUBLISH', ARGV[2], 'claim ' .. string.format('%d', claim) .. ' ' .. ARGV[1])
            local out = {claim}
            if boxKey then
              for _, e in ipairs(redis.call('LRANGE', KEYS[3], 0, -1)) do
                local s, a, c = string.match(e, '^(%S+) (%S+) (%d+) ')
                release(a, c)
                table.insert(out, string.sub(e, #s + #a + #c + 4))
              end
              redis.call('DEL', KEYS[2], KEYS[3])
            end
            return out
            """;

    /**
     * KEYS: owner, held, dms. ARGV: pubkey, claim, held age ms (0: hold nothing). Opens (or, for the
     * same key, restarts the time of) the mailbox, only if the leaving holder's claim is still the
     * owner's: one displaced from another relay meanwhile opens nothing.
     */
    static final String LEFT = """
            if redis.call('HGET', KEYS[1], 'claim') ~= ARGV[2] then return 0 end
            redis.call('DEL', KEYS[1])
            if ARGV[3] == '0' then return 1 end
            if redis.call('HGET', KEYS[2], 'pubkey') ~= ARGV[1] then
              redis.call('DEL', KEYS[2], KEYS[3])
              redis.call('HSET', KEYS[2], 'pubkey', ARGV[1], 'bytes', 0)
            end
            redis.call('PEXPIRE', KEYS[2], ARGV[3])
            redis.call('PEXPIRE', KEYS[3], ARGV[3])
            return 1
            """;

    /**
     * KEYS: owner. ARGV: pubkey, claim, owner ttl ms. Puts back the owner record a restarted Redis
     * lost, so the holder keeps its id against another key and its mailbox opens when it leaves;
     * returns 0 if another key owns the id now.
     */
    static final String REASSERT = """
            local owner = redis.call('HGET', KEYS[1], 'pubkey')
            if owner then return owner == ARGV[1] and 1 or 0 end
            redis.call('HSET', KEYS[1], 'pubkey', ARGV[1], 'claim', ARGV[2])
            redis.call('PEXPIRE', KEYS[1], ARGV[3])
            return 1
            """;

    /**
     * KEYS: owner. ARGV: owner ttl ms. Records an ephemeral holder as the id's owner, with the empty
     * key, unless the id has an owner: CLAIM then refuses every key while the holder's relay is
     * subscribed to the id, and a relay killed with its holder leaves a record that counts for nothing.
     */
    static final String EPHEMERAL = """
            if redis.call('HSETNX', KEYS[1], 'pubkey', '') == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
            return 1
            """;

    /** KEYS: owner. Deletes the owner record an ephemeral holder left, and no proven key's. */
    static final String EPHEMERAL_LEFT = """
            if redis.call('HGET', KEYS[1], 'pubkey') == '' then redis.call('DEL', KEYS[1]) end
            return 1
            """;

    /**
     * KEYS: owner. ARGV: topic. Who answers to the id: nil when no relay is subscribed to its
     * topic, else the key of its owner record, or "" without one (an ephemeral holder).
     */
    static final String HOLDER = """
            if redis.call('PUBSUB', 'NUMSUB', ARGV[1])[2] == 0 then return false end
            return redis.call('HGET', KEYS[1], 'pubkey') or ''
            """;
}
