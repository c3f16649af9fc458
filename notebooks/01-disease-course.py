# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 1. The disease course, stage by stage
#
# raphe models one chain of ALS pathology (`docs/model.md`):
#
# **raphe serotonergic neurons die** → **spinal 5-HT falls** → 5-HT2B/2C receptors on motoneurons
# **up-regulate and turn constitutively active** → the motoneurons' **persistent inward current
# (PIC)** grows → **spasms**; alongside, upper motor neuron (UMN) loss removes inhibition, lower
# motor neuron (LMN) loss weakens muscles, lowers ALSFRS-R and FVC, and finally **kills by
# respiratory failure**, while the shrinking pool of motor units makes late ALS **flaccid**.
#
# This notebook runs the default human patient and the SOD1 mouse with the `raphe` command line
# and reads what it wrote. Each stage is checked against the literature fact it must reproduce
# (science.md §6; the same facts `raphe validate` runs).

# %%
from raphe_nb import simulate, figure, at, raphe

traj, summary = simulate("human_als")
{k: summary[k] for k in ["serotonin_below_80pct_day", "spasm_onset_day", "motor_onset_day", "peak_spasm", "peak_spasm_day", "death_day", "alsfrs_slope_per_month"]}

# %% [markdown]
# The figure raphe draws of this run puts every stage on one time axis (days from the start of
# neurodegeneration):

# %%
figure("course", "notebooks/out/human_als", name="course")

# %% [markdown]
# ## The stages at their landmarks
#
# The same quantities at raphe onset (day 700), when 5-HT falls below 80%, at motor onset, at
# the peak of spasms and at death:

# %%
import pandas as pd

columns = ["raphe_survival", "serotonin", "ht2c_density", "isoform_shift", "constitutive_activity", "pic", "spasms_per_hour", "ashworth", "umn_survival", "lmn_survival", "alsfrs_r", "fvc", "nfl"]
landmarks = {
    "raphe onset": 700,
    "5-HT < 80%": summary["serotonin_below_80pct_day"],
    "motor onset": summary["motor_onset_day"],
    "peak spasms": summary["peak_spasm_day"],
    "death": summary["death_day"],
}
pd.DataFrame({name: at(traj, day, columns) for name, day in landmarks.items()}).round(3)

# %% [markdown]
# Reading the table from left to right:
#
# * **5-HT falls before weakness** (fact 1; Dentel et al. 2013 found 5-HT and its metabolite
#   down in the spinal cord of SOD1 mice and ALS patients): below 80% about two months before
#   motor onset.
# * **Receptors adapt**: 5-HT2C density is up by motor onset (fact 3; denervation
#   supersensitivity, Murray et al. 2010), and a growing share of receptors is in the
#   constitutively active form, so receptor activity no longer needs 5-HT.
# * **The PIC grows** as 5-HT loss becomes complete (fact 14: Li & Bennett measured 2.88 ±
#   0.95 nA after chronic complete transection).
# * **Spasms peak and fade**: spasms per hour peak about two years before death, then fall with
#   the motor units that express them (fact 11: late ALS turns flaccid).
# * **UMN and LMN loss run from day 0** at constant hazards (1%/month and the motor-unit
#   decline of 2.35%/month, fact 11): weakness is clinical (motor onset) when about half the
#   motor units are gone, and death comes when FVC falls below its threshold, 36 months later.

# %%
assert summary["serotonin_below_80pct_day"] < summary["motor_onset_day"], "fact 1"
assert summary["ht2c_density_at_motor_onset"] > 1.2, "fact 3"
death = summary["death_day"]
spasm_at_death = at(traj, death - 1, ["spasm_intensity"]).iloc[0]
assert spasm_at_death < 0.4 * summary["peak_spasm"], "fact 11: spasms fade before death"
assert summary["peak_spasm_day"] < death - 365
survival = summary["survival_from_motor_onset_months"]
assert 20 <= survival <= 48, "a typical patient: median survival 20-48 months"
print(f"5-HT < 80% {summary['motor_onset_day'] - summary['serotonin_below_80pct_day']:.0f} days before motor onset; "
      f"spasm intensity at death {spasm_at_death / summary['peak_spasm']:.0%} of its peak; survival {survival:.0f} months from onset")

# %% [markdown]
# ## The SOD1 mouse
#
# In the SOD1 G86R mouse (time from birth) the same chain runs in weeks. Dentel et al. saw tail
# spasms only at end stage; the model puts spasm onset in the last ~15% of life (fact 2).

# %%
mouse, mouse_summary = simulate("mouse", "sod1_g86r_mouse")
life_left = (mouse_summary["death_day"] - mouse_summary["spasm_onset_day"]) / mouse_summary["death_day"]
assert mouse_summary["serotonin_below_80pct_day"] < mouse_summary["motor_onset_day"], "fact 1 (mouse)"
assert 0 <= life_left <= 0.15, "fact 2"
print(f"mouse: motor onset week {mouse_summary['motor_onset_day'] / 7:.1f}, spasms from week {mouse_summary['spasm_onset_day'] / 7:.1f}, "
      f"death week {mouse_summary['death_day'] / 7:.1f}: spasms in the last {life_left:.0%} of life")
figure("course", "notebooks/out/mouse", name="mouse_course")

# %% [markdown]
# ## Every fact at once
#
# `raphe validate` runs the facts of science.md §6 from data files (`models/validation/`); here
# the ones this notebook told the story of:

# %%
print(raphe("validate", "--only", "1,2,3,11,14"))
