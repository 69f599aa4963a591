# Monitoring: services delivered, progress against goals, the golden thread.

monitoring-section = Monitoring
monitoring-back-to-case = Back to the case
monitoring-services-link = Services delivered
monitoring-thread-link = Where the thread is broken
monitoring-services-count = { $count ->
    [one] one service on file
   *[other] { $count } services on file
}
monitoring-breaks-count = { $count ->
    [0] the thread is whole
    [one] one break
   *[other] { $count } breaks
}

service-title = Services delivered
service-list-heading = Services on file
service-none = No services have been recorded yet.
service-older = Older services
service-record = Record a service
service-record-title = Service record
service-back-to-list = Back to the services
service-kind = Service
service-other-kind = Other service
service-other-kind-hint = Say what it was when the service is "Other".
service-delivered-on = Date delivered
service-provider = Provider
service-provider-name = Provider's name
service-provider-name-hint = Name the provider when it is another agency or person.
service-units = Amount
service-unit-name = Unit
service-unit-name-hint = For example: hours, sessions, trips, parcels.
service-amount = Amount
service-goal = Goal
service-intervention = Intervention
service-link-none = None
service-note = Note
service-correct = Correct this record
service-mark-in-error = Mark as entered in error
service-mark-in-error-intro = A record is never deleted. Marking it entered in error keeps it on file, struck through, with your reason.
service-error-reason = Reason
service-entered-in-error = Entered in error
service-notice-recorded = The service was recorded.
service-notice-corrected = The record was corrected.
service-notice-entered-in-error = The record was marked entered in error.
service-kind-counselling = Counselling
service-kind-advocacy = Advocacy
service-kind-case-management = Case management
service-kind-transport = Transport
service-kind-financial-assistance = Financial assistance
service-kind-food = Food
service-kind-housing-support = Housing support
service-kind-skills-training = Skills training
service-kind-other = Other
service-provider-worker = The caseworker
service-provider-agency = This agency
service-provider-other = Another provider

progress-title = Progress
progress-link = Progress against this goal
progress-back-to-goal = Back to the goal
progress-measure = Measure
progress-baseline = Baseline
progress-target = Target
progress-entries = Progress entries
progress-none = No progress has been recorded yet.
progress-chart-title = The measure over time
progress-chart-caption = Each point is a value recorded; the dashed lines are the baseline and the target. The table below holds the same values.
progress-table = Progress entries, oldest first
progress-recorded-on = Date
progress-value = Value of the measure
progress-gas-level = Goal attainment level
progress-level-none = No level
progress-level-0 = much less than expected
progress-level-1 = less than expected
progress-level-2 = as expected
progress-level-3 = more than expected
progress-level-4 = much more than expected
progress-comment = Comment
progress-record = Record progress
progress-one-of = Give either a value of the measure or a goal attainment level, not both.
progress-draft-goal = This goal is still a draft: progress can be recorded once it is active.
progress-notice-recorded = The progress entry was recorded.

thread-title = The golden thread
thread-intro = Every assessed need should lead to a goal, every active goal to an intervention and to recent progress, and every intervention to something done. These are the places where the thread is broken.
thread-days = Days without progress
thread-days-hint = An active goal with no progress entry in this many days is listed (1 to 365).
thread-show = Show
monitoring-nothing-to-trace = nothing to trace yet: no needs or goals are recorded
thread-untraced = Nothing to trace yet: the case holds no assessed needs and no goals. The thread begins when an assessment records a need.
thread-whole = The thread is whole: nothing is missing.
thread-need-without-goal = Needs with no goal
thread-goal-without-intervention = Active goals with no intervention in the plan
thread-goal-without-recent-progress = Active goals with no recent progress
thread-intervention-without-delivery = Interventions with nothing delivered or done
thread-last-entry = last entry
thread-no-entry = no entry yet
thread-action-goal = Set a goal
thread-action-plan = Open the plan
thread-action-progress = Record progress
thread-action-service = Record a service

error-units_invalid = The amount must be a positive number (at most 10,000).
error-intervention_other_goal = That intervention belongs to another goal.
error-service_entered_in_error = This record was entered in error and can no longer be changed.
error-progress_value_or_level = Give either a value of the measure or a goal attainment level, not both.
error-number_invalid = Enter a number.
error-goal_is_draft = Progress can only be recorded against a goal that is no longer a draft.
error-days_range = The number of days must be between 1 and 365.
