// Work on numbered items spread over threads, results handed on in item order: the linter's
// reports come out exactly as a single thread would write them. At most `window` results wait
// to be handed on at any time, so memory stays bounded however many files there are.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace mg::cli {

// Threads to use when none are asked for: one per core.
inline unsigned default_jobs() { return std::max(1u, std::thread::hardware_concurrency()); }

// Calls work(i) for every i in [0, n) on `jobs` threads (`work` must not throw), and emit(i,
// result) on the calling thread, in order of i. Items are taken in runs of consecutive ones,
// so that threads meet rarely even when each item is small.
template <typename T, typename Work, typename Emit>
void ordered_pool(size_t n, unsigned jobs, Work &&work, Emit &&emit) {
    if (jobs <= 1 || n <= 1) {
        for (size_t i = 0; i < n; ++i) emit(i, work(i));
        return;
    }
    jobs = static_cast<unsigned>(std::min<size_t>(jobs, n));
    const size_t run = std::clamp<size_t>(n / (static_cast<size_t>(jobs) * 16), 1, 32);
    const size_t runs = (n + run - 1) / run;
    const size_t window = 2 * static_cast<size_t>(jobs);  // runs done or under way, not yet emitted
    std::vector<std::optional<std::vector<T>>> slots(window);
    std::mutex mutex;
    std::condition_variable run_done, run_emitted;
    size_t next = 0;     // the next run a worker takes
    size_t emitted = 0;  // runs handed on so far

    auto worker = [&] {
        for (;;) {
            size_t r;
            {
                std::unique_lock<std::mutex> lock(mutex);
                run_emitted.wait(lock, [&] { return next >= runs || next < emitted + window; });
                if (next >= runs) return;
                r = next++;
            }
            std::vector<T> results;
            const size_t end = std::min(n, (r + 1) * run);
            results.reserve(end - r * run);
            for (size_t i = r * run; i < end; ++i) results.push_back(work(i));
            {
                std::lock_guard<std::mutex> lock(mutex);
                slots[r % window].emplace(std::move(results));
            }
            run_done.notify_one();
        }
    };
    std::vector<std::thread> threads;
    threads.reserve(jobs);
    for (unsigned j = 0; j < jobs; ++j) threads.emplace_back(worker);
    for (size_t r = 0; r < runs; ++r) {
        std::optional<std::vector<T>> results;
        {
            std::unique_lock<std::mutex> lock(mutex);
            run_done.wait(lock, [&] { return slots[r % window].has_value(); });
            results.swap(slots[r % window]);
        }
        size_t i = r * run;
        for (auto &result : *results) emit(i++, std::move(result));
        {
            std::lock_guard<std::mutex> lock(mutex);
            ++emitted;
        }
        run_emitted.notify_all();
    }
    for (auto &t : threads) t.join();
}

}  // namespace mg::cli
