package io.agentchat.protocol;

import java.util.HashMap;
import java.util.Map;

/**
 * Every wire type of the protocol, named once: the constant's name is the {@code type} string on
 * the wire, and it names the record for each direction that uses it (a name such as {@code MSG}
 * travels both ways with different fields). Jackson writes and reads the {@code type} property
 * through {@link FrameTypeIdResolver}, the server's decoder and the handlers switch on it, so
 * adding a type here is the one place its name is spelled.
 */
public enum FrameType {
    // Client to server only.
    IDENTIFY(ClientFrame.Identify.class, null),
    JOIN(ClientFrame.Join.class, null),
    LEAVE(ClientFrame.Leave.class, null),
    LIST_AGENTS(ClientFrame.ListAgents.class, null),
    LIST_CHANNELS(ClientFrame.ListChannels.class, null),
    CREATE_CHANNEL(ClientFrame.CreateChannel.class, null),
    INVITE(ClientFrame.Invite.class, null),
    PING(ClientFrame.Ping.class, null),
    REGISTER_SKILLS(ClientFrame.RegisterSkills.class, null),
    SEARCH_SKILLS(ClientFrame.SearchSkills.class, null),
    SET_PRESENCE(ClientFrame.SetPresence.class, null),
    VERIFY_RESPONSE(ClientFrame.VerifyResponse.class, null),

    // Both directions: the client's request and the server's relay of it.
    MSG(ClientFrame.Msg.class, ServerFrame.Msg.class),
    PROPOSAL(ClientFrame.Proposal.class, ServerFrame.Proposal.class),
    ACCEPT(ClientFrame.Accept.class, ServerFrame.Accept.class),
    REJECT(ClientFrame.Reject.class, ServerFrame.Reject.class),
    COMPLETE(ClientFrame.Complete.class, ServerFrame.Complete.class),
    DISPUTE(ClientFrame.Dispute.class, ServerFrame.Dispute.class),
    VERIFY_REQUEST(ClientFrame.VerifyRequest.class, ServerFrame.VerifyRequest.class),

    // Server to client only.
    WELCOME(null, ServerFrame.Welcome.class),
    JOINED(null, ServerFrame.Joined.class),
    LEFT(null, ServerFrame.Left.class),
    AGENT_JOINED(null, ServerFrame.AgentJoined.class),
    AGENT_LEFT(null, ServerFrame.AgentLeft.class),
    CHANNELS(null, ServerFrame.Channels.class),
    AGENTS(null, ServerFrame.Agents.class),
    ERROR(null, ServerFrame.Error.class),
    PONG(null, ServerFrame.Pong.class),
    SKILLS_REGISTERED(null, ServerFrame.SkillsRegistered.class),
    SEARCH_RESULTS(null, ServerFrame.SearchResults.class),
    PRESENCE_CHANGED(null, ServerFrame.PresenceChanged.class),
    VERIFY_SUCCESS(null, ServerFrame.VerifySuccess.class),
    VERIFY_FAILED(null, ServerFrame.VerifyFailed.class);

    private static final Map<String, FrameType> BY_WIRE_NAME = new HashMap<>();
    private static final Map<Class<?>, FrameType> BY_RECORD = new HashMap<>();

    static {
        for (FrameType type : values()) {
            BY_WIRE_NAME.put(type.name(), type);
            if (type.clientFrame != null) {
                BY_RECORD.put(type.clientFrame, type);
            }
            if (type.serverFrame != null) {
                BY_RECORD.put(type.serverFrame, type);
            }
        }
    }

    private final Class<? extends ClientFrame> clientFrame;
    private final Class<? extends ServerFrame> serverFrame;

    FrameType(Class<? extends ClientFrame> clientFrame, Class<? extends ServerFrame> serverFrame) {
        this.clientFrame = clientFrame;
        this.serverFrame = serverFrame;
    }

    /** The type with this wire name, or null for a name this build does not know. */
    public static FrameType fromWire(String name) {
        return name == null ? null : BY_WIRE_NAME.get(name);
    }

    /** The type of a frame record, or null for a class that is none of the frame records. */
    static FrameType of(Class<?> record) {
        return BY_RECORD.get(record);
    }

    /** The record a client sends for this type, or null if only the server sends it. */
    public Class<? extends ClientFrame> clientFrame() {
        return clientFrame;
    }

    /** The record the server sends for this type, or null if only clients send it. */
    public Class<? extends ServerFrame> serverFrame() {
        return serverFrame;
    }
}
