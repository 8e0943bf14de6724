package io.agentchat.cli;

import io.agentchat.identity.ChainVerification;
import io.agentchat.identity.Identity;
import io.agentchat.identity.IdentityExistsException;
import io.agentchat.identity.IdentityFile;
import io.agentchat.identity.RotationRecord;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code identity}: generate, show, export, rotate or verify an identity file, with the reference's
 * output. A file is fully validated before anything is printed, so a bad file gives one
 * line on stderr and rc 1, never half a report.
 */
@Command(name = "identity", mixinStandardHelpOptions = true,
        description = "Manage the Ed25519 identity file that gives an agent a persistent id.",
        footer = {"", "Example:", "  agentchat identity --generate -n alice",
            "  agentchat identity --show -f .agentchat/identity.json"})
final class IdentityCommand implements Callable<Integer> {
    static final Path DEFAULT_FILE = Path.of(".agentchat", "identity.json");

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-g", "--generate"}, description = "Generate a new key pair.")
    boolean generate;

    @Option(names = {"-s", "--show"}, description = "Show the current identity.")
    boolean show;

    @Option(names = {"-e", "--export"}, description = "Print the public part as JSON, for sharing.")
    boolean export;

    @Option(names = {"-r", "--rotate"}, description = "Replace the key, signing the new one with the old.")
    boolean rotate;

    @Option(names = "--verify-chain", description = "Verify the rotation chain.")
    boolean verifyChain;

    @Option(names = {"-f", "--file"}, paramLabel = "<path>", description = "Identity file (default: ./.agentchat/identity.json).")
    Path file = DEFAULT_FILE;

    @Option(names = {"-n", "--name"}, paramLabel = "<name>", description = "Agent name for --generate (default: agent-<pid>).")
    String name;

    @Option(names = "--force", description = "Overwrite an existing identity with --generate.")
    boolean force;

    @Override
    public Integer call() {
        Path path = file.toAbsolutePath().normalize();
        if (generate) {
            return generate(path);
        }
        if (show) {
            return show(IdentityFile.load(path), path);
        }
        if (export) {
            out().println(IdentityFile.exportPublic(IdentityFile.load(path)));
            return ExitCodes.OK;
        }
        if (rotate) {
            return rotate(path);
        }
        if (verifyChain) {
            return verifyChain(IdentityFile.load(path));
        }
        if (!Files.exists(path)) {
            out().println("No identity found.");
            out().println("Use --generate to create one at " + path);
            return ExitCodes.OK;
        }
        return show(IdentityFile.load(path), null);
    }

    private int generate(Path path) {
        String agentName = name != null ? name : "agent-" + ProcessHandle.current().pid();
        Identity identity = Identity.generate(agentName, Clock.systemUTC());
        try {
            IdentityFile.save(path, identity, force);
        } catch (IdentityExistsException e) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("Identity already exists at " + e.path());
            err.println("Use --force to overwrite");
            return ExitCodes.FAILURE;
        } finally {
            identity.wipe();
        }
        PrintWriter out = out();
        out.println("Generated new identity:");
        out.println("  Name: " + identity.name());
        out.println("  Fingerprint: " + identity.fingerprint());
        out.println("  Agent ID: " + identity.agentId());
        out.println("  Saved to: " + path);
        return ExitCodes.OK;
    }

    private int show(Identity identity, Path shownFile) {
        PrintWriter out = out();
        out.println("Current identity:");
        out.println("  Name: " + identity.name());
        out.println("  Fingerprint: " + identity.fingerprint());
        out.println("  Agent ID: " + identity.agentId());
        out.println("  Created: " + identity.created());
        if (shownFile != null) {
            out.println("  File: " + shownFile);
        }
        return ExitCodes.OK;
    }

    private int rotate(Path path) {
        Identity current = IdentityFile.load(path);
        Identity rotated = current.rotate(Clock.systemUTC());
        IdentityFile.saveRotated(path, rotated);
        current.wipe();
        rotated.wipe();
        PrintWriter out = out();
        out.println("Rotating identity...");
        out.println("  Old Agent ID: " + current.agentId());
        out.println("  Old Fingerprint: " + current.fingerprint());
        out.println();
        out.println("Rotation complete:");
        out.println("  New Agent ID: " + rotated.agentId());
        out.println("  New Fingerprint: " + rotated.fingerprint());
        out.println("  Total rotations: " + rotated.rotations().size());
        out.println();
        out.println("The new key has been signed by the old key for chain of custody.");
        out.println("Share the rotation record to prove key continuity.");
        return ExitCodes.OK;
    }

    private int verifyChain(Identity identity) {
        PrintWriter out = out();
        List<RotationRecord> rotations = identity.rotations();
        if (rotations.isEmpty()) {
            out.println("No rotations to verify (original identity).");
            out.println("  Agent ID: " + identity.agentId());
            return ExitCodes.OK;
        }
        ChainVerification result = identity.verifyChain();
        out.println("Verifying rotation chain (" + rotations.size() + " rotation(s))...");
        if (!result.valid()) {
            out.flush();
            PrintWriter err = spec.commandLine().getErr();
            err.println("Chain verification FAILED:");
            result.failures().forEach(failure -> err.println("  - " + failure));
            return ExitCodes.FAILURE;
        }
        out.println("Chain verified successfully!");
        out.println("  Original Agent ID: " + rotations.get(0).oldAgentId());
        out.println("  Current Agent ID: " + identity.agentId());
        out.println("  Rotations: " + rotations.size());
        return ExitCodes.OK;
    }

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
