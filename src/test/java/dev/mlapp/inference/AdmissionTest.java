package dev.mlapp.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AdmissionTest {

    private static final long MS = 1_000_000;
    private final AtomicLong now = new AtomicLong(1_000 * MS);

    @Test
    void countOnlyAdmitsUpToTheLimit() {
        Admission admission = new Admission(3, Duration.ZERO, now::get);
        long a = admission.tryAdmit(1);
        admission.tryAdmit(1);
        admission.tryAdmit(1);
        assertEquals(-1, admission.tryAdmit(1), "the fourth is refused");
        admission.release(a, 1);
        assertTrue(admission.tryAdmit(1) >= 0, "a freed place is taken again");
    }

    @Test
    void refusesWhenThoseAheadWouldExceedTheBudgetAtTheRecentPace() {
        Admission admission = new Admission(100, Duration.ofMillis(50), now::get);
        // Completions every 20 ms: each newcomer waits about 20 ms per request ahead of it.
        for (int i = 0; i < 30; i++) {
            long admitted = admission.tryAdmit(1);
            now.addAndGet(20 * MS);
            admission.release(admitted, 1);
        }
        assertTrue(admission.tryAdmit(1) >= 0, "none ahead: admitted");
        assertTrue(admission.tryAdmit(1) >= 0, "one ahead, ~20 ms: admitted");
        assertTrue(admission.tryAdmit(1) >= 0, "two ahead, ~40 ms: admitted");
        assertEquals(-1, admission.tryAdmit(1), "three ahead, ~60 ms > 50 ms: refused at once");
        assertEquals(-1, admission.tryAdmit(1), "and a refusal takes no place");
    }

    @Test
    void anIdleGapDoesNotCountAsServiceTime() {
        Admission admission = new Admission(100, Duration.ofMillis(50), now::get);
        now.addAndGet(60_000 * MS); // a minute idle
        long lone = admission.tryAdmit(1);
        now.addAndGet(10 * MS);
        admission.release(lone, 1);
        assertEquals(0, admission.estimatedWaitNanos(1), "nobody ahead");
        admission.tryAdmit(1);
        admission.tryAdmit(1);
        assertTrue(admission.estimatedWaitNanos(1) <= 20 * MS,
                "two ahead × the lone request's 10 ms, not the idle minute");
    }

    @Test
    void aRequestOfSeveralItemsIsAdmittedWhollyOrNotAtAll() {
        Admission admission = new Admission(4, Duration.ZERO, now::get);
        long first = admission.tryAdmit(3);
        assertTrue(first >= 0, "three of four places");
        assertEquals(-1, admission.tryAdmit(2), "two more do not fit");
        assertTrue(admission.tryAdmit(1) >= 0, "and took no place: the last one is still free");
        assertEquals(-1, admission.tryAdmit(1));
        admission.release(first, 3);
        assertTrue(admission.tryAdmit(3) >= 0, "all three places are freed together");
    }
}
