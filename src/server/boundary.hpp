// The C++/PostgreSQL boundary, in both directions.
//
// PostgreSQL reports errors with longjmp; C++ with exceptions. Neither may cross the other:
// a longjmp skips C++ destructors, an exception unwinding through PostgreSQL frames corrupts its
// error state. So:
//   - every call from C++ into PostgreSQL that can ereport(ERROR) runs inside pg_call(), which
//     catches the longjmp and rethrows it as a PgError exception carrying the ErrorData;
//   - every entry from PostgreSQL into C++ (SQL functions, hooks, event triggers) goes through
//     enter_cpp(), which catches every exception and raises the PostgreSQL error only after the
//     catch block has ended, when no C++ frame is left to unwind.
#pragma once

#include <algorithm>
#include <cstring>
#include <exception>
#include <new>
#include <string>

#include "engine/depth_guard.hpp"
#include "server/pg_prelude.hpp"

namespace mg::server {

// Where caught errors are kept: the top transaction's context outlives every subtransaction an
// error may have been raised in (a dry run's, a data check's), so the ErrorData is still valid
// when it is re-raised after they are rolled back. Freed when the transaction ends.
inline MemoryContext error_keep_context() {
    return TopTransactionContext ? TopTransactionContext : TopMemoryContext;
}

// A PostgreSQL error caught by pg_call(). The ErrorData lives in error_keep_context().
class PgError : public std::exception {
public:
    explicit PgError(ErrorData *data) : data_(data) {}
    ErrorData *data() const { return data_; }
    const char *what() const noexcept override { return data_ && data_->message ? data_->message : "error"; }

private:
    ErrorData *data_;
};

// An error raised by our own C++ code, with everything a user needs to act on it.
class UserError : public std::exception {
public:
    UserError(int sqlstate, std::string message, std::string detail = {}, std::string hint = {})
        : sqlstate(sqlstate), message(std::move(message)), detail(std::move(detail)), hint(std::move(hint)) {}
    const char *what() const noexcept override { return message.c_str(); }

    int sqlstate;
    std::string message, detail, hint;
};

// Runs `f` (which must only call PostgreSQL and own no C++ resources) and returns the error it
// raised, or nullptr. The error state is flushed, so the caller continues in C++ and must end
// by raising an error (the transaction is not usable for further catalog work otherwise).
template <typename F>
ErrorData *try_pg(F &&f) {
    MemoryContext caller_context = CurrentMemoryContext;
    ErrorData *volatile error = nullptr;
    PG_TRY();
    {
        f();
    }
    PG_CATCH();
    {
        MemoryContextSwitchTo(error_keep_context());
        error = CopyErrorData();
        FlushErrorState();
        MemoryContextSwitchTo(caller_context);
    }
    PG_END_TRY();
    return error;
}

template <typename F>
void pg_call(F &&f) {
    if (ErrorData *error = try_pg(std::forward<F>(f))) throw PgError(error);
}

// Runs `f` (PostgreSQL code only) in an internal subtransaction, from inside pg_call or try_pg.
// On an error the subtransaction is rolled back, so the transaction stays usable, and the error
// is returned (nullptr on success). `on_error` runs first, before the rollback (e.g. to stop a
// timer that would otherwise fire during it).
// `keep` false: the subtransaction is rolled back on success too (a trial: nothing it did, written
// or SET, outlives it).
template <typename F, typename G = void (*)()>
ErrorData *pg_subtransaction(F &&f, G &&on_error = [] {}, bool keep = true) {
    MemoryContext caller_context = CurrentMemoryContext;
    ResourceOwner caller_owner = CurrentResourceOwner;
    ErrorData *volatile error = nullptr;
    BeginInternalSubTransaction(nullptr);
    PG_TRY();
    {
        f();
        if (keep) ReleaseCurrentSubTransaction();
        else RollbackAndReleaseCurrentSubTransaction();
    }
    PG_CATCH();
    {
        on_error();
        MemoryContextSwitchTo(error_keep_context());
        error = CopyErrorData();
        FlushErrorState();
        RollbackAndReleaseCurrentSubTransaction();
    }
    PG_END_TRY();
    MemoryContextSwitchTo(caller_context);
    CurrentResourceOwner = caller_owner;
    return error;
}

// A cancel or a lost connection: never swallowed, whatever the caller tolerates.
inline bool is_interrupt(const ErrorData *e) {
    return e && (e->sqlerrcode == ERRCODE_QUERY_CANCELED || e->sqlerrcode == ERRCODE_ADMIN_SHUTDOWN);
}

namespace detail {
// Fixed-size copies: the catch block must not allocate through PostgreSQL (which may longjmp).
constexpr size_t kPendingText = 4096;
// Every entry into C++ has one on its stack: the buffers are left uninitialized (only their first
// byte is set), so that an entry that raises nothing does not pay for clearing 12 kB.
struct PendingError {
    int sqlstate = ERRCODE_INTERNAL_ERROR;
    char message[kPendingText];
    char detail[kPendingText];
    char hint[kPendingText];
    PendingError() { message[0] = detail[0] = hint[0] = '\0'; }
    void set(char (&dst)[kPendingText], const char *src) {
        const size_t n = src ? std::min(std::strlen(src), sizeof(dst) - 1) : 0;
        if (n) std::memcpy(dst, src, n);
        dst[n] = '\0';
    }
};
[[noreturn]] void raise(const PendingError &e, const char *where);
}  // namespace detail

template <typename F>
auto enter_cpp(const char *where, F &&body) -> decltype(body()) {
    ErrorData *pg_error = nullptr;
    detail::PendingError pending;
    try {
        return body();
    } catch (const PgError &e) {
        pg_error = e.data();
    } catch (const UserError &e) {
        pending.sqlstate = e.sqlstate;
        pending.set(pending.message, e.message.c_str());
        pending.set(pending.detail, e.detail.c_str());
        pending.set(pending.hint, e.hint.c_str());
    } catch (const TooDeep &e) {
        pending.sqlstate = ERRCODE_STATEMENT_TOO_COMPLEX;
        pending.set(pending.message, (std::string("migration_guard cannot judge this statement: ") + e.what()).c_str());
        pending.set(pending.hint, "Split the expression (e.g. compute it in a function or in several steps).");
    } catch (const std::bad_alloc &) {
        pending.sqlstate = ERRCODE_OUT_OF_MEMORY;
        pending.set(pending.message, "out of memory");
    } catch (const std::exception &e) {
        pending.set(pending.message, e.what());
    } catch (...) {
        pending.set(pending.message, "unexpected C++ exception");
    }
    // Outside every catch block: nothing of C++ is left to unwind.
    if (pg_error) ReThrowError(pg_error);
    detail::raise(pending, where);
}

}  // namespace mg::server

// Declares a SQL-callable function whose body is C++ run through enter_cpp().
#define MG_SQL_FUNCTION(name)                                                                \
    static Datum name##_body(FunctionCallInfo fcinfo);                                       \
    extern "C" {                                                                             \
    PG_FUNCTION_INFO_V1(name);                                                               \
    }                                                                                        \
    extern "C" Datum name(PG_FUNCTION_ARGS) {                                                \
        return mg::server::enter_cpp(#name, [fcinfo]() { return name##_body(fcinfo); });     \
    }                                                                                        \
    static Datum name##_body([[maybe_unused]] FunctionCallInfo fcinfo)
