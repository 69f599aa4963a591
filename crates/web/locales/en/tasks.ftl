# Tasks, reminders, overdue lists, the supervisor queue and program default tasks.
nav-tasks = My tasks
nav-queue = Queue
caseload-overdue = { $count ->
    [0] Overdue tasks: none
    [one] Overdue tasks: 1
   *[other] Overdue tasks: { $count }
}

tasks-mine-title = My tasks
tasks-mine-intro = Your open tasks on your cases and plans: overdue first, then due soon (the reminder has come), then later.
tasks-mine-heading = Open tasks
tasks-mine-empty = You have no open tasks.
tasks-more = More
tasks-team-overdue-heading = Your team's overdue tasks
tasks-team-overdue-empty = Nobody on your team has an overdue task.
tasks-case-title = Tasks
tasks-case-link = Tasks of this case
tasks-case-empty = This case has no tasks yet.

task-title = Task
task-description = Details
task-due-on = Due on
task-assignee = Done by
task-assignee-default = The case's worker
task-remind-days = Remind this many days before (blank for no reminder)
task-status = Status
task-urgency = When
task-kind = Kind
task-client = Client
task-unassigned = Not assigned
task-add = Add a task
task-edit = Edit the task
task-save = Save the task
task-mark-done = Mark done
task-cancel = Cancel the task
task-cancel-reason = Why it is cancelled
task-back-to-case = Back to the case
task-back-to-tasks = All tasks of the case
task-created = The task was added.
task-saved = The task was saved.
task-marked-done = The task is done.
task-marked-cancelled = The task was cancelled.
task-status-open = Open
task-status-done = Done
task-status-cancelled = Cancelled
task-urgency-overdue = Overdue
task-urgency-due-soon = Due soon
task-urgency-later = Later
task-kind-case-task = Case task
task-kind-plan-task = Plan task
task-kind-follow-up = Follow-up
task-follow-up-title = Follow-up check-in, { $days } days after closure

queue-title = Supervisor queue
queue-intro = What waits for you on your team's cases, oldest first.
queue-empty = Nothing waits for you.
queue-since = Waiting since
queue-worker = Case worker
queue-by = Done by
queue-stage-move = Stage move
queue-detail = Details
queue-open = Open where it is decided
queue-kind-plan-approval = Plan to approve
queue-kind-guard-override = Stage move without its requirements, to review
queue-kind-safety-alert = Safety alert
queue-kind-closure-approval = Closure to approve
queue-kind-break-glass = Emergency access to review
queue-review = Mark reviewed
queue-review-comment = Comment (optional)
queue-acknowledge = Acknowledge the alert
queue-ack-comment = What was done (required)
queue-reviewed = The override is marked reviewed.
queue-acknowledged = The safety alert is acknowledged.

templates-title = Default tasks
templates-link = Default tasks
templates-back = Back to programs
templates-intro = When a case of this program enters a stage, each default task of that stage becomes a task of the case, due the given number of days later, for the case's worker.
templates-none = This program has no default tasks.
template-stage = Made when the case enters
template-due-days = Due this many days after
template-add = Add a default task
template-retire = Retire
template-added = The default task was added.
template-retired = The default task was retired; tasks it already made stay.

error-number_format = Enter a whole number.
error-task_closed = This task is already done or cancelled.
error-already_reviewed = This override was already reviewed.
error-already_acknowledged = This safety alert was already acknowledged.
