package server

import (
	"context"

	api "github.com/xentree/xentree-api/gen"
)

// XELAPI implements xentree English: modules, graded tasks and AI evaluation.
type XELAPI struct{ *deps }

// ListXELModules answers 501 until its area lands.
func (a *XELAPI) ListXELModules(ctx context.Context, request api.ListXELModulesRequestObject) (api.ListXELModulesResponseObject, error) {
	return nil, errNotImplemented
}

// GetXELModule answers 501 until its area lands.
func (a *XELAPI) GetXELModule(ctx context.Context, request api.GetXELModuleRequestObject) (api.GetXELModuleResponseObject, error) {
	return nil, errNotImplemented
}

// SubmitXELTask answers 501 until its area lands.
func (a *XELAPI) SubmitXELTask(ctx context.Context, request api.SubmitXELTaskRequestObject) (api.SubmitXELTaskResponseObject, error) {
	return nil, errNotImplemented
}

// EvaluateXEL answers 501 until its area lands.
func (a *XELAPI) EvaluateXEL(ctx context.Context, request api.EvaluateXELRequestObject) (api.EvaluateXELResponseObject, error) {
	return nil, errNotImplemented
}

// GetXELDashboard answers 501 until its area lands.
func (a *XELAPI) GetXELDashboard(ctx context.Context, request api.GetXELDashboardRequestObject) (api.GetXELDashboardResponseObject, error) {
	return nil, errNotImplemented
}
