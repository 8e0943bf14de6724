package io.agentchat.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.agentchat.json.JsJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cross-checks against Node's own crypto and JSON.stringify. Skipped when {@code node} is not on the PATH.
 */
@Timeout(60)
class NodeInteropTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-25T03:16:53.649Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    @BeforeAll
    static void requireNode() {
        boolean available;
        try {
            available = run("process.stdout.write('ok')", Map.of()).equals("ok");
        } catch (IOException | RuntimeException e) {
            available = false;
        }
        assumeTrue(available, "node is not installed");
    }

    @Test
    void nodeVerifiesJavaSignaturesAndRotationText() throws IOException {
        Identity identity = Identity.generate("alice", CLOCK).rotate(CLOCK);
        RotationRecord record = identity.rotations().get(0);
        String message = "héllo/€ \"x\"\n\u0001😀";
        String out = run("""
                const c = require('crypto');
                const e = process.env;
                const rec = JSON.parse(e.REC);
                const text = JSON.stringify({old_pubkey: rec.old_pubkey, new_pubkey: rec.new_pubkey, timestamp: rec.timestamp});
                const ok = c.verify(null, Buffer.from(e.MSG), e.PUB, Buffer.from(e.SIG, 'base64'));
                const recOk = c.verify(null, Buffer.from(text), rec.old_pubkey, Buffer.from(rec.signature, 'base64'));
                const id = c.createHash('sha256').update(e.PUB).digest('hex').substring(0, 8);
                process.stdout.write([ok, recOk, text === e.TEXT, id].join(' '));
                """, Map.of("MSG", message, "PUB", identity.pubkey(), "SIG", identity.sign(message),
                        "REC", JsJson.compact(record.toJsonMap()), "TEXT", record.signedText()));
        assertEquals("true true true " + identity.agentId(), out);
    }

    @Test
    void nodeKeysAreCanonicalAndNodeSignaturesVerifyInJava() throws IOException {
        String out = run("""
                const c = require('crypto');
                const { publicKey, privateKey } = c.generateKeyPairSync('ed25519');
                const sig = c.sign(null, Buffer.from('nonce-é'), privateKey).toString('base64url');
                process.stdout.write(JSON.stringify([publicKey.export({type: 'spki', format: 'pem'}),
                    privateKey.export({type: 'pkcs8', format: 'pem'}), sig]));
                """, Map.of());
        List<String> parts = List.of(out.substring(2, out.length() - 2).split("\",\""));
        String pub = parts.get(0).replace("\\n", "\n");
        String priv = parts.get(1).replace("\\n", "\n");
        Identity identity = Identity.restore("node", pub, priv, "2026-11-25T03:16:53.649Z", List.of());
        assertTrue(identity.verify("nonce-é", parts.get(2)), "base64url signature from Node");
        assertEquals(pub, identity.pubkey());
    }

    @Test
    void savedFileEqualsJsonStringifyWithIndentTwo() throws IOException {
        Path file = dir.resolve("identity.json");
        IdentityFile.save(file, Identity.generate("alice", CLOCK).rotate(CLOCK), false);
        String out = run("""
                const t = require('fs').readFileSync(process.env.FILE, 'utf8');
                const o = JSON.parse(t);
                delete o.privkey;
                process.stdout.write(String(JSON.stringify(JSON.parse(t), null, 2) === t) + '\\n' + JSON.stringify(o, null, 2));
                """, Map.of("FILE", file.toString()));
        assertEquals("true\n" + IdentityFile.exportPublic(IdentityFile.load(file)), out);
    }

    private static String run(String script, Map<String, String> env) throws IOException {
        ProcessBuilder builder = new ProcessBuilder("node", "-e", script).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        try {
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("node failed: " + out);
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            process.destroy();
        }
    }
}
