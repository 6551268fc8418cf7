package com.sensoranomaly.cli.serve;

import io.swagger.parser.OpenAPIParser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The service's hand-written OpenAPI document is valid OpenAPI 3 (that every path answers is ScoringServiceITCase's). */
class OpenApiDocumentTest {

    @Test
    void shouldBeAValidOpenApi3DocumentWhoseReferencesAllResolve() throws Exception {
        String doc;
        try (InputStream in = ScoringServer.class.getResourceAsStream("openapi.json")) {
            doc = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        options.setValidateInternalRefs(true);
        SwaggerParseResult r = new OpenAPIParser().readContents(doc, null, options);
        assertThat(r.getMessages()).isEmpty();
        assertThat(r.getOpenAPI().getOpenapi()).startsWith("3.0");
        assertThat(r.getOpenAPI().getPaths()).containsOnlyKeys("/anomaly_score", "/reconstruct", "/encode", "/decode", "/model",
                "/healthz", "/metrics", "/openapi.json");
        assertThat(r.getOpenAPI().getComponents().getSchemas()).containsKeys("Readings", "Latents", "ScoreAnswer", "Error");
    }
}
