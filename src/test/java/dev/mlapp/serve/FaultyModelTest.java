package dev.mlapp.serve;

import static dev.mlapp.serve.ServeSettings.POD_NAME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import dev.mlapp.http.MlServer;
import dev.mlapp.inference.ModelHost;
import dev.mlapp.model.EmbeddedModel;
import dev.mlapp.model.FloatArray;
import dev.mlapp.model.InferenceException;
import dev.mlapp.model.Model;
import dev.mlapp.testing.ForwardingModel;
import dev.mlapp.testing.HttpTestClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A model that starts failing at run time (a TensorFlow session error): the replica turns unready so the load
 * balancer routes elsewhere, refuses predictions with a retryable 503 instead of a 500 per request, and turns
 * ready again by itself once its self-check on the sample image passes.
 */
class FaultyModelTest {

    /** The embedded model, with a switch that makes every run fail as a broken session would. */
    static final class BreakableModel extends ForwardingModel {
        final AtomicBoolean broken = new AtomicBoolean();
        final AtomicInteger failedRuns = new AtomicInteger();

        BreakableModel(Model model) {
            super(model);
        }

        @Override
        public FloatArray predict(FloatArray input) {
            check();
            return super.predict(input);
        }

        @Override
        public FloatArray predictItems(List<float[]> items) {
            check();
            return super.predictItems(items);
        }

        private void check() {
            if (broken.get()) {
                failedRuns.incrementAndGet();
                throw new InferenceException("session run failed (injected fault)", new IllegalStateException());
            }
        }
    }

    @Test
    void aFailingModelMakesThePodUnreadyAndItRecoversWhenTheModelWorksAgain() throws Exception {
        AtomicBoolean[] switchRef = new AtomicBoolean[1];
        BreakableModel[] modelRef = new BreakableModel[1];
        MlServer server = Serving.start(ServeConfig.loopback().with(POD_NAME, "faulty"), config -> {
            modelRef[0] = new BreakableModel(EmbeddedModel.load(config.engine().sessionOptions()));
            switchRef[0] = modelRef[0].broken;
            return modelRef[0];
        });
        try {
            server.awaitStartup(Duration.ofMinutes(2));
            HttpTestClient http = new HttpTestClient(server.port());
            assertEquals(200, http.get("/test").statusCode());

            switchRef[0].set(true);
            HttpResponse<String> failed = http.get("/test", "Accept", "application/json");
            assertEquals(500, failed.statusCode(), failed.body());
            assertEquals("inference_failed", code(failed));
            assertEquals(503, http.get("/readyz").statusCode(), "unready right after the failure");

            HttpResponse<String> refused = http.get("/test");
            assertEquals(503, refused.statusCode(), "later requests get a quick retryable refusal");
            assertEquals("model_failing", code(refused));
            assertEquals("1", refused.headers().firstValue("Retry-After").orElseThrow());
            assertEquals("faulty", refused.headers().firstValue("X-Pod-Name").orElseThrow());
            assertEquals(200, http.get("/healthz").statusCode(), "alive: a restart is not what fixes this");

            long failedBefore = modelRef[0].failedRuns.get();
            Thread.sleep(ModelHost.SELF_CHECK_INTERVAL.multipliedBy(2).plusMillis(500));
            assertTrue(modelRef[0].failedRuns.get() > failedBefore, "the self-check keeps trying the model");
            assertEquals(503, http.get("/readyz").statusCode(), "still unready while the model fails");

            switchRef[0].set(false);
            long deadline = System.nanoTime() + ModelHost.SELF_CHECK_INTERVAL.multipliedBy(3).toNanos();
            while (http.get("/readyz").statusCode() != 200 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertEquals(200, http.get("/readyz").statusCode(), "ready again within a self-check interval or two");
            assertEquals(200, http.get("/test").statusCode());
        } finally {
            server.drainAndStop();
        }
    }

    private static String code(HttpResponse<String> response) {
        return JsonParser.parseString(response.body()).getAsJsonObject().get("error").getAsString();
    }
}
