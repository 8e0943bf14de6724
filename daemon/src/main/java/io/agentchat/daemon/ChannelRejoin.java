package io.agentchat.daemon;

import io.agentchat.client.Connection;
import io.agentchat.protocol.ChannelPosition;
import io.agentchat.protocol.ServerFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enters one channel on a new connection: resumes after the inbox's position when it has one, so
 * the server sends exactly the messages that followed (docs/daemon-files.md, "Resume after a
 * reconnect or restart"), else joins plainly and the server's replay buffer follows. Says in the
 * log what the server could recover; a refusal means messages may have been missed, and the
 * daemon carries on with the replay as before.
 */
final class ChannelRejoin {

    private static final Logger LOG = LoggerFactory.getLogger(ChannelRejoin.class);

    private ChannelRejoin() {
    }

    /**
     * @param since the last of the channel's messages in the inbox, or null
     * @return the server's JOINED
     * @throws io.agentchat.client.ServerErrorException the server refused the join
     * @throws io.agentchat.client.ClientException the connection failed
     */
    static ServerFrame.Joined enter(Connection connection, String channel, ChannelPosition since) {
        if (since == null) {
            ServerFrame.Joined joined = connection.join(channel);
            LOG.info("Joined {}", channel);
            return joined;
        }
        ServerFrame.Joined joined = connection.resume(channel, since);
        if (joined.recovered() == null) {
            LOG.info("Joined {} (the server does not resume; its replay buffer follows)", channel);
        } else if (joined.isRecovered()) {
            long count = joined.seq() == null ? -1 : joined.seq() - since.seq();
            LOG.info("Joined {}, resumed after seq {}: {} message(s) recovered", channel, since.seq(),
                    count < 0 ? "?" : Long.toString(count));
        } else {
            LOG.warn("Joined {}, but its history after seq {} could not be recovered ({}); messages sent "
                    + "while the daemon was away may be missing from the inbox. The replay buffer follows.",
                    channel, since.seq(), why(since, joined));
        }
        return joined;
    }

    private static String why(ChannelPosition since, ServerFrame.Joined joined) {
        if (joined.epoch() != null && !joined.epoch().equals(since.epoch())) {
            return "the epoch changed from " + since.epoch() + " to " + joined.epoch()
                    + ": the server's history of the channel started over";
        }
        if (joined.seq() != null && joined.seq() < since.seq()) {
            return "same epoch, but the server is at seq " + joined.seq();
        }
        return "same epoch; the server no longer keeps messages that old";
    }
}
