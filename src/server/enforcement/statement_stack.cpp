// The per-statement states of the guard, as a stack (see decision.hpp). Entries are dropped when
// their statement ends, when the subtransaction they were pushed in aborts (an EXCEPTION block
// that caught a blocked inner statement), and when the transaction ends.
#include <memory>
#include <vector>

#include "server/enforcement/decision.hpp"

namespace mg::server {

namespace {

struct Entry {
    const Node *key;
    SubTransactionId subid;
    StatementState state;
};

std::vector<std::unique_ptr<Entry>> stack;
// Used when no statement is running (a guard function called from a plain SELECT).
StatementState outside;
bool outside_used = false;  // reset at transaction end only when it may hold something
StatementState *active = &outside;

void activate_top() { active = stack.empty() ? &outside : &stack.back()->state; }

void drop_above(size_t keep) {
    while (stack.size() > keep) stack.pop_back();
    activate_top();
}

// PostgreSQL callbacks: plain C++ that cannot throw (vector shrinking only). Every transaction
// ends here, ordinary traffic included: nothing to do costs nothing.
void on_xact(XactEvent event, void *) {
    if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_COMMIT ||
        event == XACT_EVENT_PARALLEL_ABORT || event == XACT_EVENT_PREPARE) {
        if (!stack.empty()) stack.clear();
        if (outside_used) {
            outside = StatementState{};
            outside_used = false;
        }
        active = &outside;
    }
}

void on_subxact(SubXactEvent event, SubTransactionId subid, SubTransactionId, void *) {
    if (event != SUBXACT_EVENT_ABORT_SUB || stack.empty()) return;
    // Subtransaction ids grow: everything pushed in this subtransaction or a later one is gone.
    size_t keep = stack.size();
    while (keep > 0 && stack[keep - 1]->subid >= subid) --keep;
    if (keep != stack.size()) drop_above(keep);
}

}  // namespace

StatementState &current_statement() {
    if (active == &outside) outside_used = true;
    return *active;
}

void begin_statement(const Node *key, std::string text, std::string command_tag) {
    auto entry = std::make_unique<Entry>();
    entry->key = key;
    entry->subid = GetCurrentSubTransactionId();
    entry->state.text = std::move(text);
    entry->state.command_tag = std::move(command_tag);
    stack.push_back(std::move(entry));
    activate_top();
}

bool resume_statement(const Node *key) {
    // From the top: a stale entry of a failed inner statement may carry a reused address, but
    // the statement running now was pushed after it.
    for (size_t i = stack.size(); i-- > 0;)
        if (stack[i]->key == key) {
            drop_above(i + 1);
            return true;
        }
    return false;
}

void end_statement(const Node *key) {
    for (size_t i = stack.size(); i-- > 0;)
        if (stack[i]->key == key) {
            drop_above(i);
            return;
        }
}

void init_statement_stack() {
    static bool registered = false;
    if (registered) return;
    registered = true;
    RegisterXactCallback(on_xact, nullptr);
    RegisterSubXactCallback(on_subxact, nullptr);
}

}  // namespace mg::server
