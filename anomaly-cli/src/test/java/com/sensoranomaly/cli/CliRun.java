package com.sensoranomaly.cli;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

/** One {@code ./anomaly} invocation in this JVM, as a user sees it: exit code, stdout, stderr (stripped). */
public record CliRun(int code, String out, String err) {

    public static CliRun of(String... args) {
        CommandLine cl = AnomalyCli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new CliRun(code, out.toString(), err.toString().strip());
    }
}
