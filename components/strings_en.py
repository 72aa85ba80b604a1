"""English strings. Field labels and help come from the JobConfig metadata (one source)."""
from __future__ import annotations


def _field_strings() -> dict[str, str]:
    from studio.config import describe_fields
    out = {}
    for f in describe_fields():
        name = f.get("label") or f["path"].split(".")[-1].replace("_", " ").capitalize()
        out["field_" + f["path"]] = name
        out["help_" + f["path"]] = f.get("help") or ""
    return out


EN: dict[str, str] = {
    "app_title": "# Fine-tuning Studio\nUpload labelled data, pick a BERT, GPT or T5 model, "
                 "train it, watch it learn, then try it.",
    "tab_data": "1 · Data", "tab_model": "2 · Model", "tab_train": "3 · Train",
    "tab_try": "4 · Try", "tab_runs": "5 · Runs",
    # data
    "data_intro": "Upload a table (CSV, TSV, JSON, JSONL, Parquet, Excel, text) or a chat file, "
                  "or start from a sample. The studio guesses what each column is; change the "
                  "guess below if it is wrong.",
    "data_upload": "Training data file", "data_sample": "…or a sample dataset",
    "data_validation": "Validation file (optional)", "data_task": "Task",
    "data_preview": "Preview (first rows)", "data_chart": "Distribution",
    "data_summary": "**{file}**: {format}, {encoding}, {rows} usable rows, {excluded} excluded. "
                    "Task: **{task}** ({layout}).",
    "data_summary_no_task": "**{file}**: {format}, {encoding}, {rows} rows read.",
    "data_labels": "Labels: {labels}", "data_no_problems": "No problems found in this file.",
    "data_rows_listed": "rows {rows}", "data_rows_more": "rows {rows} and {more} more",
    "chart_labels": "Examples per label",
    "chart_lengths": "Examples by length (characters)",
    "role_text": "Text column", "role_text_pair": "Second text (pairs)",
    "role_label": "Label column", "role_prompt": "Input / prompt column",
    "role_response": "Target / response column", "role_messages": "Conversation column",
    "role_system": "System prompt column",
    "data_unnamed": "Text in unnamed columns",
    "data_unnamed_info": "Some rows have more fields than the header: an unquoted comma split "
                         "their text. Join the pieces back into the text, or leave those rows "
                         "out.",
    "data_unnamed_join": "join back into the text", "data_unnamed_exclude": "exclude those rows",
    "task_auto": "auto", "task_classification": "classification", "task_chat": "chat",
    "task_text2text": "text-to-text",
    # model
    "model_intro": "Pick a model family and a model. The family decides what the model can "
                   "learn.",
    "family_bert_title": "### BERT · encoders",
    "family_bert_what": "Read text and sort it into classes: sentiment, topics, intents. "
                        "Fast and accurate; cannot write text.",
    "family_gpt_title": "### GPT · decoders",
    "family_gpt_what": "Write text: chat assistants, instructions, answers. Can also classify.",
    "family_t5_title": "### T5 · encoder-decoders",
    "family_t5_what": "Turn one text into another: translation, summaries, rewriting.",
    "model_preset": "Model", "model_custom": "…or any Hugging Face model id or local folder",
    "model_check": "Use this model", "model_all_presets": "All presets",
    "model_legend": "✔ works offline · ☁ downloaded on first use · ✱ untrained tiny model "
                    "for quick tests",
    "model_pick": "Pick a model first.",
    "model_summary": "**{name}** · {family} family · {params} parameters · LoRA would train "
                     "{lora} of them.",
    "model_untrained_note": "This tiny model starts from random weights: good for a quick test "
                            "of the whole walk. Its predictions and replies are noise (random "
                            "text), even after training; pick a pretrained model for real "
                            "results.",
    "model_chinese_note": "Your data is in Chinese; the offline presets know English only. "
                          "Chinese-capable presets (downloaded on first use): {presets}.",
    "model_no_data": "Choose data first; then the studio checks that this model can learn "
                     "its task.",
    "model_fits": "This model can learn {task}.",
    "preset_name": "Model", "preset_family": "Family", "preset_where": "Availability",
    "preset_what": "Good for", "preset_offline": "offline", "preset_download": "download",
    "preset_untrained": "offline, untrained",
    # train
    "train_intro": "The three settings that matter most are up front; the rest have sensible "
                   "defaults under Advanced.",
    "train_advanced": "Advanced", "train_start": "▶ Start training", "train_stop": "■ Stop",
    "train_log": "Log", "train_download_yaml": "Download job.yaml",
    "train_need_data": "Choose a valid data file in step 1 first.",
    "train_need_model": "Choose a model in step 2 first.",
    "train_started": "Run {run} was submitted. You can close this tab; training goes on.",
    "train_following": "Run **{run}** · {model} · {task}",
    "train_queued": "Waiting in line: position {position}. It starts when the job before it "
                    "ends.",
    "stage_starting": "Preparing: starting, reading the data and loading the model (a Hub "
                      "model downloads on first use)…",
    "stage_tokenizing": "Preparing: tokenizing the data…",
    "stage_evaluating": "Preparing: evaluating the base model before training…",
    "stage_training": "Preparing: the first training steps…",
    "stage_final_eval": "evaluating the trained model…", "stage_saving": "saving the model…",
    "eta_estimating": "estimating…",
    "eval_phase_before": "Evaluating the base model", "eval_phase_during": "Evaluating",
    "eval_phase_after": "Evaluating the trained model",
    "eval_progress_loss": "{what}: {done} / {total} rows, {eta}",
    "eval_progress_generate": "{what}: generating samples {done} / {total}, {eta}",
    "eval_eta": "about {eta} left",
    "train_progress": "Step {step}/{total} · epoch {epoch} · {speed} samples/s · ETA {eta}",
    "train_done": "Training finished. {metrics}. Try the model in step 4.",
    "train_stopped": "The run was stopped; the model trained so far was saved if possible.",
    # a stop whose final event has no code: the engine's own sentence (Runs step)
    "run_stopped_note": "{reason}",
    "train_failed_unknown": "The run failed; see its log.",
    "train_nothing_to_stop": "No run to stop.", "train_not_running": "This run is not running.",
    "train_stop_asked": "Asked the run to stop at the next step. Click Stop again to kill it.",
    "train_killed": "The run was killed.",
    "train_cancelled": "The run was cancelled before it started.",
    "train_preview_rows": "**{train} training rows**, {validation} for validation, {excluded} "
                          "left out.",
    "train_preview_steps": "{per_epoch} steps per epoch, **{steps} steps** in all ({batch} rows "
                           "per step).",
    "train_preview_model": "{params} parameters, {trainable} of them trained ({method}) · "
                           "inputs cut at {max_length} tokens · learning rate {lr}.",
    # method 'auto' chose LoRA (studio.jobs.adapters.AUTO_LORA_NOTE, the engine's own words)
    "method_auto_lora": "LoRA chosen because {model} has {params} parameters (full fine-tuning "
                        "is the default below {threshold}); set Method to full to train "
                        "every weight.",
    "form_auto": "auto", "form_engine_value": "auto: {value}",
    "train_fix_settings": "Fix the settings marked in red; then the estimate and Start come "
                          "back.",
    # a wrong setting, named by its label (components/i18n.setting_text)
    "cfg_needs_value": "{field} needs a value.",
    "cfg_bad_type": "{field} must be {kind}; “{value}” is not.",
    "cfg_bad_choice": "{field} must be one of {choices}; “{value}” is not.",
    "cfg_too_small": "{field} must be at least {min}; {value} is too small.",
    "cfg_too_large": "{field} must be at most {max}; {value} is too large.",
    "kind_int": "a whole number", "kind_float": "a number", "kind_bool": "on or off",
    "kind_str": "text",
    # allowed values of the settings' dropdowns
    "choice_auto": "auto", "choice_true": "on", "choice_false": "off",
    "choice_full": "full", "choice_lora": "LoRA", "choice_linear": "linear",
    "choice_method.method_auto": "auto (by model size)",
    "choice_cosine": "cosine", "choice_constant": "constant",
    "choice_constant_with_warmup": "constant after warm-up", "choice_bf16": "bf16",
    "choice_fp16": "fp16", "choice_fp32": "fp32", "choice_adamw_torch_fused": "AdamW (fused)",
    "choice_adamw_torch": "AdamW", "choice_adafactor": "Adafactor", "choice_sgd": "SGD",
    "choice_epoch": "every epoch", "choice_steps": "every N steps", "choice_no": "never",
    "choice_join": "join", "choice_exclude": "exclude",
    "form_model_own": "auto: the model's own",
    "train_estimate_time": "Estimated time: about {time}, {evaluation} of it evaluating, from an earlier run of this model.",
    "train_estimate_unknown": "The time estimate appears after the first steps.",
    "plot_loss": "Loss (train and eval)", "plot_metric": "Evaluation metric",
    "plot_lr": "Learning rate",
    # try
    "try_run": "Trained run", "try_refresh": "↻ Refresh", "try_compare": "Compare with the base model",
    "try_pick_run": "Pick a finished run (or train one in step 3).",
    "try_run_info": "**{run}** · {model} · {task} · {status}",
    "try_text": "Text to classify", "try_classify": "Classify",
    "try_tuned": "Fine-tuned model", "try_base": "Base model (before training)",
    "try_batch": "Classify a whole file", "try_batch_out": "Predictions (CSV)",
    "try_batch_done": "Predicted {rows} rows; download the CSV.",
    "try_system": "System prompt", "try_temperature": "Temperature", "try_top_p": "Top-p",
    "try_max_new": "Max new tokens", "try_message": "Your message", "try_send": "Send",
    "try_clear": "Clear", "try_input": "Input text", "try_generate": "Generate",
    "try_eval": "Evaluation", "try_metrics": "Metrics before and after training",
    "try_confusion": "Confusion matrix · rows: true label, columns: predicted",
    "try_errors": "Misclassified validation examples",
    "try_samples": "Generated samples (validation rows, after training)",
    "try_empty_reply": "*(the model ended its reply without a visible character)*",
    "try_need_text": "Type something first.", "try_need_file": "Upload a file to predict.",
    "try_untrained_note": "{model} is an untrained tiny model: what it writes or predicts is "
                          "noise (random text), even after this short training. It shows that "
                          "the walk works; pick a pretrained model for real answers.",
    # runs
    "runs_refresh": "↻ Refresh", "runs_history": "Run history", "runs_select": "Select runs",
    "runs_overlay": "Overlay curves", "runs_open": "Open (follow live or try)",
    "runs_delete": "Delete…", "runs_confirm": "Yes, delete for good",
    "runs_cancel_delete": "Cancel",
    # components/active_notice.py: a page that opens while a run of this owner trains
    "active_notice": "Run **{run}** ({model}) is {status}; follow it on the Train step.",
    "active_follow": "Follow it on Train",
    # components/resume_button.py: a stopped or failed run continues from its checkpoint
    "resume_button": "Resume from the last checkpoint",
    "resume_started": "Run {run} was queued again; it continues from its checkpoint at step {step}.",
    "runs_curves": "Loss of the selected runs",
    "runs_select_first": "Select one or more runs first.",
    "runs_scores_from_step": "Its scores are from the evaluation at step {step}, before the stop.",
    "runs_confirm_delete": "Delete {runs} with their models and logs? This cannot be undone.",
    "runs_deleted": "Deleted {count} run(s).",
    "series_train": "train", "series_eval": "eval", "series_lr": "learning rate",
    # charts: axes and legends
    "axis_step": "step", "axis_series": "curve", "axis_loss": "loss", "axis_score": "score",
    "axis_lr": "learning rate", "axis_count": "examples", "axis_label": "label",
    "axis_characters": "length (characters)",
    # numbers, durations, metric names: components/fmt.py
    "dur_s": "{s} s", "dur_ms": "{m} min {s} s", "dur_hm": "{h} h {m} min",
    "list_sep": ", ", "metric_value": "{name} {value}", "metric_before": "before: {name}",
    "metric_accuracy": "accuracy", "metric_macro_f1": "macro-F1", "metric_eval_loss": "eval loss",
    "metric_train_loss": "training loss", "metric_perplexity": "perplexity",
    "metric_bleu": "BLEU", "metric_chrf": "chrF", "metric_rougeL": "ROUGE-L",
    "metric_exact_match": "exact match", "metric_steps": "steps",
    "col_metric": "metric", "col_before": "before", "col_after": "after",
    "col_row": "row", "col_label": "label", "col_predicted": "predicted",
    "col_confidence": "confidence", "col_text": "text", "col_prompt": "prompt",
    "col_reference": "reference", "col_generated": "generated",
    # data: layouts and formats as the summary says them
    "layout_table": "table", "layout_pairs": "input-target pairs",
    "layout_alpaca": "Alpaca instructions", "layout_messages": "chat messages",
    "layout_sharegpt": "ShareGPT conversations", "format_text": "plain text",
    "col_run": "run", "col_status": "status", "col_task": "task", "col_model": "model",
    "col_method": "method", "col_created": "created", "col_reason": "note",
    "status_queued": "queued", "status_running": "running", "status_done": "done",
    "status_failed": "failed", "status_stopped": "stopped",
    # hosting: the mode line, limits, what the page refuses
    "mode_local": "**Local mode**: one trusted user on this computer; every run in the "
                  "workspace is shown. Files up to {upload} MB.",
    "mode_hosted": "**Hosted mode**: your runs are private to this browser (or your login). "
                   "Limits: files up to {upload} MB, {rows} rows and {labels} labels per job, "
                   "{jobs} job(s) at a time, {minutes} minutes of training per job, {disk} MB "
                   "of runs per person. Runs started without a login are removed after {days} "
                   "days.",
    "upload_too_large": "This file is larger than this studio accepts ({limit} MB); upload a "
                        "smaller sample or a compressed format such as Parquet.",
    "model_custom_hosted": "…or a Hugging Face Hub model id",
    "model_custom_hosted_hint": "preset or Hub id owner/name",
    "model_custom_hint": "owner/name  |  /path/to/model",
    "remote_code_warning": "Trusting remote code runs the Python files that come with the "
                           "model (its auto_map) on this computer, with your permissions and "
                           "access to your files and tokens. Turn it on only for a model "
                           "whose authors you trust.",
    "limit_disk": "Your runs and uploads take {used} MB of the {limit} MB this studio keeps "
                  "per person; delete old runs in step 5 first.",
    "limit_time_stopped": "Run {run} was stopped: a job may train for at most {minutes} "
                          "minutes on this studio.",
    # errors
    "err_unexpected": "Something unexpected went wrong ({detail}); the details are in the "
                      "server log.",
    "err_engine_fallback": "{detail}",
    **_field_strings(),
}

# Step 5's Export panel (components/export_panel.py) and the Try chat's "keep for export" box.
EN.update({
    "export_title": "Export and share",
    "export_intro": "Take a finished run's model out of the studio: download it, push it to "
                    "the Hugging Face Hub, or copy the code that uses it. Exports are kept "
                    "with the run and reused while its model is unchanged.",
    "export_run": "Run to export", "export_format": "Format",
    "export_fmt_zip": "zip: one file, loads with transformers",
    "export_fmt_merged": "merged: a plain transformers folder",
    "export_fmt_gguf": "GGUF: llama.cpp, Ollama, LM Studio",
    "export_fmt_onnx": "ONNX: onnxruntime, for classifiers",
    "export_quant": "GGUF numbers", "export_quant_f16": "f16 (exact)",
    "export_quant_q8_0": "q8_0 (about half the size)",
    "export_button": "Export", "export_files": "Download",
    "export_pick_run": "Pick a finished run to export (or tick one in the history above).",
    "export_pick_format": "Pick a format first.",
    "export_unavailable": "{format} is not offered for this run: {reason}",
    "export_onnx_only_cls": "ONNX export is for classification runs; this run generates text, "
                            "so use merged or GGUF.",
    "export_settings_none": "The Ollama Modelfile gets default sampling settings; to keep your "
                            "own, tick “Save these settings with the export” in step 4's chat.",
    "export_settings_used": "The Ollama Modelfile will carry the chat settings kept in step 4: "
                            "temperature {temperature}, top-p {top_p}, up to {max_new_tokens} "
                            "new tokens.",
    "export_settings_used_system": "The Ollama Modelfile will carry the chat settings kept in "
                                   "step 4: temperature {temperature}, top-p {top_p}, up to "
                                   "{max_new_tokens} new tokens, and the system prompt "
                                   "“{system}”.",
    "export_running": "Exporting {format}: {percent}%.",
    "export_progress_detail": "{line} {detail}",  # the engine's progress words (English)
    "export_packing": "Packing the folder into one zip for the download…",
    "export_done": "Exported {format} in {seconds} s; the download is {size}.",
    "export_ready": "{format} is ready to download ({size}); checking it now.",
    "verify_progress": "Checking the export: {percent}%.",
    "export_reused": "Reused the earlier {format} export (the model has not changed); the "
                     "download is {size}.",
    # The parity check after an export (studio.export.verify's report, rendered here).
    "verify_missing": "{format} was not checked: {package} is not installed on this computer "
                      "(pip install -r requirements-llama.txt).",
    "verify_cls": "Checked with {runtime}: the same label as the studio on {same} of {rows} "
                  "validation rows ({share}); the largest probability difference is {diff}.",
    "verify_gen": "Checked with {runtime}: greedy answers token for token identical to the "
                  "studio's on {same} of {rows} validation prompts.",
    "verify_answer_diff": "“{prompt}” differs from token {index} on: the studio says {studio}, "
                          "the export {artifact}.",
    "verify_template_same": "The chat template the export carries ({source}) renders the same "
                            "conversation exactly like training.",
    "verify_template_diff": "The chat template the export carries ({source}) renders the "
                            "conversation differently from training, from token {index} on: "
                            "{studio} in training, {artifact} in the export.",
    "export_hub_title": "#### Push to the Hugging Face Hub",
    "export_hub_repo": "Repository (owner/name)",
    "export_hub_token": "Hugging Face write token (empty: HF_TOKEN of this computer)",
    "export_hub_token_hosted": "Your Hugging Face write token (required)",
    "export_hub_token_info": "Used for this one push only: never stored, never logged.",
    "export_hub_private": "Private repository", "export_hub_push": "Push to the Hub",
    "export_hub_need_token": "On this hosted studio, pushing needs your own Hugging Face write "
                             "token; enter it for this push.",
    "export_hub_pushing": "Pushing to {repo}: {percent}%.",
    "export_hub_done": "Pushed the {what} to [{repo}]({url}): {count} files in {seconds} s.",
    "export_hub_adapter": "LoRA adapter", "export_hub_merged": "merged model",
    "export_use_title": "#### Use this model",
    "export_use_after": "Export first: the Ollama and llama.cpp commands name the file the "
                        "export writes.",
    "export_use_serve": "Or serve the run on this computer with an OpenAI-compatible API, "
                        "then call it:",
    "try_keep_settings": "Save these settings with the export",
    "try_keep_settings_info": "The system prompt, temperature, top-p and max new tokens go "
                              "into the Ollama Modelfile of a GGUF export (step 5).",
})

# Step 5's leaderboard and side-by-side view (components/leaderboard_view.py, compare_view.py).
EN.update({
    "lb_title": "Leaderboard: runs on the same data, best first",
    "lb_intro": "Every finished run, grouped by the data it was trained on. Scores are measured "
                "on the validation rows with a 95% confidence interval (bootstrap): accuracy "
                "in % for classification, chrF per generated sample for chat and text-to-text. "
                "★ marks the best run; the sentence under the table says whether it is really "
                "better than the runner-up. Sort a column from the ⋮ menu in its header; click a "
                "row to choose its run.",
    "lb_group": "Data", "lb_group_choice": "{data} · {task} · {count} runs",
    "lb_empty": "No finished run with validation results yet; train one, or try several "
                "models at once, and they are ranked here.",
    "lb_col_run": "run", "lb_col_score_accuracy": "accuracy %",
    "lb_col_score_chrf": "chrF", "lb_col_ci": "95% interval", "lb_col_gain": "gain over base",
    "lb_col_macro_f1": "macro-F1", "lb_col_train": "train time (s)",
    "lb_col_speed": "samples/s", "lb_col_size": "parameters",
    "lb_col_latency": "ms per example", "lb_col_id": "run id",
    "lb_run": "Chosen run", "lb_use": "Use this run", "lb_export": "Export this run",
    "lb_pick_run": "Choose a run in the table first.",
    "lb_export_chosen": "Run {run} is chosen in the Export panel below.",
    "lb_verdict_beats": "{winner} beats {loser} by {diff} points (95% CI {low} to {high}; "
                        "{how}).",
    "lb_verdict_not_significant": "{winner} scores {diff} points above {loser}, but the "
                                  "difference is not significant (95% CI {low} to {high}; "
                                  "{how}).",
    "lb_verdict_level": "{winner} and {loser} get the same score, though not on the same rows "
                        "(95% CI {low} to {high}; {how}).",
    "lb_verdict_same": "{winner} and {loser} score exactly the same on the {n} validation rows "
                       "they share.",
    "lb_verdict_no_shared_rows": "{winner} and {loser} were scored on different validation "
                                 "rows, so they cannot be compared row by row; train both on "
                                 "the same data with the same validation split to compare "
                                 "them.",
    "lb_verdict_few_rows_generation": "Only {n} generated samples per run were scored, so the "
                                      "intervals are wide; raise “Generation samples” "
                                      "under Advanced for a sharper answer.",
    "lb_verdict_few_rows_classification": "Only {n} validation rows per run were scored, so "
                                          "the intervals are wide; a larger validation set "
                                          "gives a sharper answer.",
    "lb_how_mcnemar": "McNemar p = {p}, {n} rows", "lb_how_bootstrap": "paired bootstrap, {n} rows",
    # the best two tie on the score as shown (studio/leaderboard/ties.py): what gave the ★
    "lb_verdict_tie_macro_f1": "{winner} and {loser} tie on {metric} ({score}); the ★ goes to "
                               "{winner} for its higher macro-F1 ({a} vs {b}).",
    "lb_verdict_tie_latency": "{winner} and {loser} tie on {metric} ({score}); the ★ goes to "
                              "{winner}, the faster per example ({a} vs {b} ms).",
    "lb_verdict_tie_older": "{winner} and {loser} tie on {metric} ({score}) and on every other "
                            "metric; the ★ goes to {winner}, the older run.",
    "cmp_title": "Two runs side by side",
    "cmp_a": "Run A", "cmp_b": "Run B", "cmp_go": "Compare",
    "cmp_pick_two": "Choose two finished runs to compare.",
    "cmp_same_settings": "The two runs have the same settings.",
    "cmp_diff": "Settings that differ", "cmp_col_setting": "setting",
    "cmp_metrics": "Metrics", "cmp_curves": "Loss of both runs",
    "cmp_filter": "Label", "cmp_all_labels": "All labels",
    "cmp_rows": "Validation rows where they disagree",
    "cmp_rows_classification": "{count} of the {shared} validation rows both runs scored are "
                               "right in one run and wrong in the other; {shown} are shown.",
    "cmp_rows_generation": "{count} of the {shared} generated samples both runs share differ; "
                           "{shown} are shown, the largest chrF gap first.",
    "cmp_col_predicted": "{run}: predicted", "cmp_col_right": "right",
    "cmp_col_generated": "{run}: output", "cmp_col_chrf": "{run}: chrF",
})

# The memory planner: the Train step's estimate and what the planner changed.
EN.update({
    "train_preview_memory": "Estimated peak memory {peak} GB of {free} GB free ({device}).",
    "memory_device_cpu": "RAM", "memory_device_cuda": "GPU memory",
    # the planner's sentences (memory_lora, memory_micro_batch): studio/wording/en.py
})

# "Try several" (components/sweep_panel.py, studio.sweep)
EN.update({
    "sweep_title": "Try several models and settings",
    "sweep_intro": "Pick a few models and, if you like, a few values for the learning rate, "
                   "epochs and LoRA vs full. Every combination becomes one run; all of them "
                   "train on the same rows and the same validation split (same seed), one after "
                   "another, with early stopping on the validation loss. The other settings "
                   "come from the form above. Compare them on the Runs step.",
    "sweep_models": "Models", "sweep_models_info": "Presets that can learn this task.",
    "sweep_extra": "More models (Hub ids or folders, comma-separated)",
    "sweep_extra_info": "Checked before anything starts, like the Model step's box.",
    "sweep_lrs": "Learning rates", "sweep_lrs_info": "Comma-separated; empty: each model's "
                                                      "default.",
    "sweep_epochs": "Epochs", "sweep_epochs_info": "Comma-separated; empty: the form's value.",
    "sweep_methods": "Method (tick both to compare)",
    "sweep_budget": "Time budget (minutes)",
    "sweep_budget_info": "Empty: none. Once the first run shows its speed, runs that would "
                         "end past the budget are not started.",
    "sweep_start": "Start runs", "sweep_start_n": "Start {n} runs",
    "sweep_count": "{n} runs: {names}.",
    "sweep_need_data": "Choose the data on the Data step first.",
    "sweep_need_model": "Tick at least one model, or name one in the box.",
    "sweep_started": "Queued {n} runs; they train one after another on the same split.",
    "sweep_line": "{name} — {status} — step {step}/{total} {score}",
    "sweep_status_waiting": "waiting for a slot", "sweep_status_skipped": "not started",
    "sweep_budget_note": "The time budget of {budget} minutes would be exceeded (about "
                         "{minutes} minutes in all at the first run's {rate} steps/s), so "
                         "{skipped} run(s) were not started; raise the budget to run them.",
})

# Several devices (train.devices): the Train step's effective batch and device warnings.
EN.update({
    "train_preview_effective": "**{rows} rows per step**: batch {batch} x "
                               "accumulation {accum} x {devices} device(s).",
    "train_devices_over_cores": "Devices is {devices} but this machine has {have} CPU cores; "
                                "the processes would share them and train slower: set "
                                "Devices to at most {have}.",
    "train_devices_over_gpus": "Devices is {devices} but this machine has {have} GPUs; each "
                               "process needs a GPU of its own: set Devices to at most {have}.",
})

# the Train step: a run's settings shown read-only; settings that do not apply.
EN.update({
    "train_run_settings": "Settings of run **{run}**, as it ran. Read-only: the next run uses "
                          "the form above, and what you leave empty there follows the next "
                          "data and model.",
    "applies_lora_only": "{field} applies to LoRA only and this job fine-tunes every weight, "
                         "so it is back to its default.",
    "applies_full_only": "{field} applies to full fine-tuning only and this job trains LoRA "
                         "adapters, so it is back to its default.",
    "applies_generation_only": "{field} applies to chat and text-to-text jobs only and this "
                               "job classifies, so it is back to its default.",
    "applies_packing_unsupported": "{field} works for BERT-family classification and "
                                   "GPT-family chat or text-to-text only, not a "
                                   "{family}-family {task} job, so it is back to auto.",
    "applies_packing_on": "{field} has no effect while packing is on, so it is back to its "
                          "default.",
    "train_progress_ended": "Step {step}/{total} · epoch {epoch} · {speed} samples/s",
    "train_stopped_scores": "The run was stopped; its last evaluation (step {step}): "
                            "{metrics}. The model trained so far was saved if possible.",
    "try_empty_output": "The model ended its output without a visible character (an "
                        "untrained or briefly trained model often does).",
    "try_errors_none": "None: every validation example was classified right.",
    "try_errors_no_predictions": "This run saved no predictions for validation examples, so "
                                 "there is nothing to list here.",
    "try_batch_scored": "Scored against the file's label column: {metrics}.",
    "try_batch_unknown_labels": "Not scored: the label column has labels the model was not "
                                "trained on ({labels}).",
    # singulars (components.i18n.tr picks `<key>_one` for a count of one)
    "sweep_start_n_one": "Start 1 run", "sweep_count_one": "1 run: {names}.",
    "sweep_started_one": "Queued 1 run on the same split.",
    "lb_group_choice_one": "{data} · {task} · 1 run", "runs_deleted_one": "Deleted 1 run.",
})

# the Data step's "Check labels" (components/labels_panel.py, studio.labels).
EN.update({
    "labels_check": "Check labels",
    "labels_threshold": "Confidence threshold",
    "labels_exclude_above": "Exclude all above threshold",
    "labels_save": "Save as a new version",
    "labels_table": "Rows whose label looks wrong, most suspicious first (edit the last column: "
                    "keep, relabel or exclude)",
    "labels_col_row": "Row",
    "labels_col_text": "Text",
    "labels_col_given": "Given label",
    "labels_col_suggested": "Suggested label",
    "labels_col_confidence": "Confidence",
    "labels_col_action": "Action",
    "labels_action_keep": "keep",
    "labels_action_relabel": "relabel",
    "labels_action_exclude": "exclude",
    "labels_need_classification": "Checking labels works on classification data (a text and a "
                                  "label column); choose such a file first.",
    "labels_summary": "{flagged} of {rows} rows look mislabelled (per given label: "
                      "{per_class}); checked in {seconds} s with out-of-fold predictions.",
    "labels_check_first": "Run \"Check labels\" on this file first, then choose what to do with "
                          "the rows.",
    "labels_no_edits": "Nothing to save: every row is set to keep; set some to relabel or "
                       "exclude first.",
    "labels_saved": "Saved {file}: {excluded} rows excluded, {relabelled} relabelled "
                    "(fingerprint {fingerprint}). It is now the data file; a run trained on it "
                    "records these edits.",
})

# Try step: blind side-by-side rating (components/rating_panel.py, studio/ratings)
EN.update({
    "rate_model_a": "First model", "rate_model_b": "Second model", "rate_refresh": "Refresh",
    "rate_base_model": "base model {model}",
    "rate_source": "Prompts", "rate_source_validation": "Validation rows",
    "rate_source_file": "A file", "rate_source_typed": "Typed",
    "rate_typed": "Prompts, one per line", "rate_file": "Prompts file (.txt, one per line, or "
                                                       "a data file)",
    "rate_start": "Start rating", "rate_prompt": "Prompt",
    "rate_answer_a": "Answer A", "rate_answer_b": "Answer B",
    "rate_button_left": "A is better (1)", "rate_button_right": "B is better (2)",
    "rate_button_tie": "Tie (3)", "rate_button_both_bad": "Both bad (4)",
    "rate_next": "Next prompt (n)",
    "rate_choice_left": "A", "rate_choice_right": "B", "rate_choice_tie": "a tie",
    "rate_choice_both_bad": "both bad",
    "rate_pick_two": "Pick two models to compare: two runs, or a run and its base model.",
    "rate_started": "{n} prompts to rate. The answers are shown unnamed and in a random order; "
                    "the models are named after each vote.",
    "rate_started_one": "1 prompt to rate. The answers are shown unnamed and in a random order; "
                        "the models are named after the vote.",
    "rate_progress": "Prompt {i} of {n}: which answer is better?",
    "rate_done": "All {n} prompts are rated; the leaderboard shows the pair's win rate.",
    "rate_nothing_to_vote": "This prompt already has your vote; go to the next prompt.",
    "rate_reveal": "A was {left}, B was {right}; you chose {choice}.",
    "lb_verdict_rating_beats": "{winner} beats {loser} in {rate}% of decisive votes (95% CI "
                               "{low} to {high}; sign test p = {p}, {decisive} decisive of "
                               "{n} ratings).",
    "lb_verdict_rating_not_significant": "{winner} wins {rate}% of decisive votes against "
                                         "{loser}, but the difference is not significant (95% "
                                         "CI {low} to {high}; sign test p = {p}, {decisive} "
                                         "decisive of {n} ratings).",
    "lb_verdict_rating_no_decisive": "{winner} and {loser} have no decisive vote yet ({n} "
                                     "ratings, all ties or both bad); rate more prompts to "
                                     "compare them.",
    "rate_title": "Rate two models blind",
    "rate_empty_answer": "(this model ended its answer without a visible character)",
    "lb_rt_title": "**Blind ratings** (Try → Rate two models blind): each rated pair of models, "
                   "the first one being the one with more wins; the win rate counts decisive "
                   "votes only (not ties or both bad).",
    "lb_rt_none": "No ratings yet: on Try, rate two chat or text-to-text runs blind.",
    "lb_rt_pair": "{a} vs {b}", "lb_rt_col_pair": "pair (first vs second)",
    "lb_rt_col_wins": "first wins", "lb_rt_col_losses": "second wins",
    "lb_rt_col_ties": "ties", "lb_rt_col_both_bad": "both bad",
    "lb_rt_col_rate": "first's win rate %", "lb_rt_col_ci": "95% interval",
    "lb_rt_col_ratings": "ratings",
    "lb_rt_download": "Download ratings", "lb_rt_files": "Preference pairs (JSONL) and votes (CSV)",
    "lb_rt_downloaded": "Preference pairs: {pairs} (ties and both-bad votes left out: "
                        "{left_out}); votes in the CSV: {votes}.",
})

# The training-health advisor's findings (components/advice_view.py; the sentences come from
# the engine, studio.advisor, and ZH_FINDINGS).
EN.update({
    "advice_title": "What the curves say",
    "advice_try": "Train again with: {overrides}",
    "advice_none": "Nothing to report: the curves look healthy.",
    "advice_apply": "Train again with these settings",
    "advice_change": "{field} {was} → {now}",
    "advice_applied": "Set from the advice on run {run}: {changes}. The other settings are as "
                      "you left them; press Start to train.",
    "advice_other_job": "That run trained {model} on {data}; choose them in steps 1 and 2 to "
                        "train the same job again.",
    "advice_nothing": "No advice with settings to apply: open a finished run first.",
    "advice_unset": "auto",
    # Settings suggested before training (components/suggest_view.py; the reasons come from
    # the engine, studio.advisor.suggest, and ZH_SUGGEST).
    "suggest_title": "Suggested for this model and data",
    "suggest_item": "{field} **{value}**: {reason}",
    "suggest_apply": "Use suggested settings",
    "suggest_applied": "Set the suggested settings: {changes}. Press Start to train.",
    "suggest_same": "The form already has the suggested settings.",
    "suggest_nothing": "Nothing suggested yet: choose the data and the model first.",
    "lb_col_findings": "advisor",
})

# Gradio's own words that it cannot translate itself (components/gradio_words.py): read out by
# screen readers, or shown in its status overlays. {0} {1}: the numbers or label gradio wrote.
EN.update({
    "gradio_complete": "Complete", "gradio_error": "Error",
    "gradio_processing": "processing |", "gradio_queue": "queue: {0}/{1} |",
    "gradio_number_input": "number input for {0}", "gradio_more_tabs": "More tabs",
    "gradio_upload_area": "Click to upload or drop files", "gradio_file_upload": "File upload",
    "gradio_footer_nav": "Gradio footer navigation",
    "gradio_range_slider": "range slider for {0}", "gradio_reset_value": "Reset to default value",
    "gradio_remove_file": "Remove file", "gradio_uploaded_files": "Uploaded files",
    "gradio_uploading": "Uploading", "gradio_table_actions": "Table actions",
    "gradio_copy_table": "Copy table data", "gradio_cell_menu": "Open cell menu",
    "gradio_fullscreen": "Fullscreen", "gradio_exit_fullscreen": "Exit fullscreen",
    "gradio_download": "Download", "gradio_clear": "Clear", "gradio_close": "Close",
    "gradio_loading": "Loading response",
    "gradio_chart": "Vega visualization", "gradio_x_axis": "X-axis titled '{0}'",
    "gradio_y_axis": "Y-axis titled '{0}'", "gradio_x_axis_plain": "X-axis",
    "gradio_y_axis_plain": "Y-axis", "gradio_chart_title": "Title text '{0}'",
    "gradio_legend": "Legend titled '{0}'", "gradio_legend_plain": "Legend",
    "gradio_empty_value": "Empty value", "gradio_dataframe": "Dataframe", "gradio_copy": "Copy",
    "gradio_copied": "Copied",
    "gradio_chat_conversation": "chatbot conversation", "gradio_loading_content": "Loading content",
    "gradio_copy_conversation": "Copy conversation", "gradio_copy_message": "Copy message",
    "gradio_user_message": "user's message: {0}", "gradio_bot_message": "bot's message: {0}",
})
