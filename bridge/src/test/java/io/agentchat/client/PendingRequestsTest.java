package io.agentchat.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentchat.protocol.ServerFrame;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class PendingRequestsTest {
    private final PendingRequests pending = new PendingRequests();

    @Test
    void onlyTheOldestRequestCanBeAnsweredAndAnErrorIsItsFailure() throws Exception {
        var pong = pending.add("PONG", f -> f instanceof ServerFrame.Pong ? "pong" : null);
        var joined = pending.add("JOINED", f -> f instanceof ServerFrame.Joined ? "joined" : null);

        pending.onFrame(ServerFrame.Msg.of(1, "@a", "#general", "chatter"));
        assertFalse(pong.future.isDone());

        pending.onFrame(new ServerFrame.Error(2, "CHANNEL_NOT_FOUND", "Channel #x not found"));
        ExecutionException failure = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> pong.future.get());
        ServerErrorException error = (ServerErrorException) failure.getCause();
        assertEquals("Channel #x not found", error.getMessage());
        assertEquals("CHANNEL_NOT_FOUND", error.wireCode());
        assertFalse(joined.future.isDone());

        pending.onFrame(new ServerFrame.Joined(3, "#general", java.util.List.of("@a")));
        assertEquals("joined", joined.future.get());
    }

    @Test
    void anUnsolicitedErrorWithNothingPendingIsIgnored() {
        pending.onFrame(new ServerFrame.Error(1, "RATE_LIMITED", "slow down"));
        var later = pending.add("PONG", f -> f instanceof ServerFrame.Pong ? "pong" : null);
        assertFalse(later.future.isDone());
    }

    @Test
    void aReplyNobodyAwaitsKeepsItsPlaceSoItsErrorFailsNoRequest() throws Exception {
        var answer = pending.addUnawaited("reply to VERIFY_RESPONSE",
                f -> f instanceof ServerFrame.VerifySuccess ? "verified" : null);
        var pong = pending.add("PONG", f -> f instanceof ServerFrame.Pong ? "pong" : null);

        pending.onFrame(new ServerFrame.Error(1, "VERIFICATION_EXPIRED", "Verification request not found or expired"));
        assertTrue(answer.future.isCompletedExceptionally());
        assertFalse(pong.future.isDone());
        pending.onFrame(new ServerFrame.Pong(2));
        assertEquals("pong", pong.future.get());
    }

    @Test
    void anUnansweredReplyNobodyAwaitsIsDroppedOnceALaterRequestIsAnswered() throws Exception {
        pending.addUnawaited("reply that never comes", f -> f instanceof ServerFrame.VerifySuccess ? "x" : null);
        var pong = pending.add("PONG", f -> f instanceof ServerFrame.Pong ? "pong" : null);
        pending.onFrame(new ServerFrame.Pong(1));
        assertEquals("pong", pong.future.get());

        var joined = pending.add("JOINED", f -> f instanceof ServerFrame.Joined ? "joined" : null);
        pending.onFrame(new ServerFrame.Error(2, "CHANNEL_NOT_FOUND", "Channel #x not found"));
        assertTrue(joined.future.isCompletedExceptionally(), "the dropped entry no longer takes ERRORs");
    }

    @Test
    void thePongOfAFailedBarrierIsDrainedNotTakenByTheNextRequest() throws Exception {
        var invite = pending.addPingBarrier("PONG after INVITE");
        var ping = pending.add("PONG", f -> f instanceof ServerFrame.Pong ? "pong" : null);

        pending.onFrame(new ServerFrame.Error(1, "NOT_INVITED", "Not a member of #secret"));
        assertTrue(invite.future.isCompletedExceptionally());
        pending.onFrame(new ServerFrame.Pong(2)); // the failed invite's
        assertFalse(ping.future.isDone());
        pending.onFrame(new ServerFrame.Pong(3));
        assertEquals("pong", ping.future.get());
    }

    @Test
    void closingFailsPendingAndLaterRequests() {
        var before = pending.add("PONG", f -> null);
        ClientException closed = new ClientException(ClientException.Reason.CLOSED, "Connection closed");
        pending.closeAll(closed);
        var after = pending.add("PONG", f -> null);
        assertTrue(before.future.isCompletedExceptionally());
        assertTrue(after.future.isCompletedExceptionally());
        assertSame(closed, after.future.handle((v, t) -> t).join());
    }
}
