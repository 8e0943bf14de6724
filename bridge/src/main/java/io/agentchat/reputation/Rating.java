package io.agentchat.reputation;

/**
 * One agent's entry in a ratings file: its rating, how many settled proposals it took part in,
 * and when it last changed ({@link io.agentchat.json.IsoTime} format), or null for an agent never rated.
 */
public record Rating(int rating, int transactions, String updated) {
    /** The entry of an agent with no history. */
    public static final Rating NEW = new Rating(Elo.START, 0, null);
}
